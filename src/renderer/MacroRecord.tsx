import { useEffect, useState, type FormEvent } from 'react';
import type { DeskApi } from '../shared/ipc.js';
import type { MacroRecordingView } from '../shared/ipc-macros.js';

/** Record a new macro: a name, Record, do the task in your apps, Stop (or Ctrl+Alt+End). */
export function MacroRecord({ api, onRecorded }: { api: DeskApi; onRecorded: (name: string) => void }) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [state, setState] = useState<MacroRecordingView>();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string>();

  // A window opened while recording still shows Stop.
  useEffect(() => {
    void api.invoke('macros.record.state', {}).then((r) => {
      if (r.ok && r.value) setState((s) => s ?? r.value ?? undefined);
    });
  }, [api]);

  useEffect(
    () =>
      api.on('macros.recording', (r) => {
        setState(r);
        if (r.state === 'stopped') {
          setName('');
          setDescription('');
          onRecorded(r.name);
        }
        if (r.state === 'failed' && r.message) setProblem(r.message);
      }),
    [api, onRecorded],
  );

  const recording = state?.state === 'recording' || state?.state === 'processing';

  async function start(e: FormEvent) {
    e.preventDefault();
    setProblem(undefined);
    setBusy(true);
    const r = await api.invoke('macros.record.start', { name: name.trim(), ...(description.trim() ? { description: description.trim() } : {}) });
    setBusy(false);
    if (!r.ok) return setProblem(r.error.message);
    setState({ state: 'recording', name: r.value.name });
  }

  async function stop() {
    setBusy(true);
    const r = await api.invoke('macros.record.stop', {});
    setBusy(false);
    if (!r.ok) setProblem(r.error.message);
  }

  return (
    <form className="macro-record" onSubmit={(e) => void start(e)} aria-label="Record a macro">
      <h2>Record a macro</h2>
      <label htmlFor="macro-new-name">Name</label>
      <input id="macro-new-name" value={name} disabled={recording} onChange={(e) => setName(e.target.value)} placeholder="Submit expense" />
      <label htmlFor="macro-new-description">What it is for (optional)</label>
      <input id="macro-new-description" value={description} disabled={recording} onChange={(e) => setDescription(e.target.value)} />
      <div className="buttons">
        {recording ? (
          <button type="button" className="danger" disabled={busy || state?.state === 'processing'} onClick={() => void stop()} aria-label="Stop recording">
            Stop
          </button>
        ) : (
          <button type="submit" disabled={busy || !name.trim()} aria-label="Record">
            Record
          </button>
        )}
      </div>
      <p className="macro-record-state" role="status" data-state={state?.state ?? 'idle'}>
        {state?.state === 'recording' ? (
          <>
            <span className="macro-dot" aria-hidden="true" /> Recording "{state.name}": do the task in your apps, then press Stop (or Ctrl+Alt+End). Clicks in this window are not recorded.
          </>
        ) : state?.state === 'processing' ? (
          `Reading the screens of "${state.name}"…`
        ) : state?.state === 'stopped' && state.recorded ? (
          `Recorded "${state.name}": ${state.recorded.steps.length} step(s), version ${state.recorded.version}.${state.recorded.unstored.length ? ` Secrets NOT stored: ${state.recorded.unstored.join(', ')}.` : ''}`
        ) : null}
      </p>
      {problem ? (
        <p role="alert" className="problem">
          {problem}
        </p>
      ) : null}
    </form>
  );
}
