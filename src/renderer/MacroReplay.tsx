import { useEffect, useState, type FormEvent } from 'react';
import type { DeskApi } from '../shared/ipc.js';
import type { MacroDetail, MacroParamValue, MacroParamView } from '../shared/ipc-macros.js';
import { ConfirmCard } from './ConfirmCard.js';
import { applyEvent, fillFromRecords, FINISHED, STATUS_WORDS, type RunView } from './feed.js';
import { RunButtons, useConfirmRequests, type RunChannel } from './RunControls.js';
import { StepList } from './StepList.js';

/** The value typed in a parameter's input: text for text and numbers, a checkbox for booleans. */
type Draft = Record<string, string | boolean>;

function initial(params: MacroParamView[]): Draft {
  return Object.fromEntries(params.map((p) => [p.name, p.type === 'boolean' ? p.default === true : p.default === undefined ? '' : String(p.default)]));
}

/** Empty inputs are left out (the default applies, or the host says the value is missing). */
function typed(params: MacroParamView[], draft: Draft): Record<string, MacroParamValue> {
  const out: Record<string, MacroParamValue> = {};
  for (const p of params) {
    const v = draft[p.name];
    if (p.type === 'boolean') out[p.name] = v === true;
    else if (typeof v === 'string' && v.trim() !== '') out[p.name] = p.type === 'number' && Number.isFinite(Number(v)) ? Number(v) : v;
  }
  return out;
}

/** A replay, and the macro it replays. */
export type ReplayRun = RunView & { macro: string };

/**
 * The replay in progress and its confirmation cards, kept by the Macros screen so that opening
 * another macro neither loses its progress nor its Stop button.
 */
export function useReplay(api: DeskApi) {
  const [run, setRun] = useState<ReplayRun>();
  const confirms = useConfirmRequests(api);
  useEffect(() => {
    const offEngine = api.on('engine', (e) => {
      setRun((r) => (r && (r.runId === e.runId || (e.type === 'run_started' && r.status === 'starting' && !r.runId)) ? { ...applyEvent(r, e), macro: r.macro } : r));
      if (e.type === 'run_finished') {
        void api.invoke('runs.get', { id: e.runId }).then((res) => {
          if (res.ok) setRun((r) => (r?.runId === e.runId ? { ...fillFromRecords(r, res.value.steps), macro: r.macro } : r));
        });
      }
    });
    return offEngine;
  }, [api]);
  return { run, setRun, confirms };
}

/** Replay with the macro's parameters, its steps shown live as in the chat, one run at a time. */
export function MacroReplay({ api, macro, replay: shared }: { api: DeskApi; macro: MacroDetail; replay: ReturnType<typeof useReplay> }) {
  const [draft, setDraft] = useState<Draft>(() => initial(macro.params));
  const [dryRun, setDryRun] = useState(false);
  const [problem, setProblem] = useState<string>();
  const { setRun, confirms } = shared;
  const active = shared.run && !FINISHED.has(shared.run.status) ? shared.run : undefined;
  /** This macro's last replay (another macro's shows as a line with its Stop). */
  const run = shared.run?.macro === macro.name ? shared.run : undefined;
  const other = active && active.macro !== macro.name ? active : undefined;

  async function replay(e: FormEvent) {
    e.preventDefault();
    if (active) return;
    setProblem(undefined);
    setRun({ key: `${Date.now()}`, text: `macro: ${macro.name}`, macro: macro.name, status: 'starting', steps: [] });
    const r = await api.invoke('macros.replay', { name: macro.name, params: typed(macro.params, draft), dryRun });
    if (!r.ok) setRun((x) => (x ? { ...x, status: 'failed', error: r.error.message } : x));
    else setRun((x) => (x && !x.runId ? { ...x, runId: r.value.runId, status: x.status === 'starting' ? 'running' : x.status } : x));
  }

  async function control(channel: RunChannel) {
    if (!active?.runId) return;
    const r = await api.invoke(channel, { runId: active.runId });
    if (!r.ok) setProblem(r.error.message);
  }

  const mine = confirms.filter((c) => c.runId === active?.runId);
  return (
    <section className="macro-section" aria-labelledby="macro-replay-title">
      <h3 id="macro-replay-title">Replay</h3>
      <form onSubmit={(e) => void replay(e)} className="macro-replay-form">
        {macro.params.length === 0 ? <p className="muted">This macro takes no parameters.</p> : null}
        {macro.params.map((p) => (
          <div key={p.name} className="macro-field">
            <label htmlFor={`macro-param-${p.name}`}>
              {p.name} <span className="muted">({p.type}{p.default === undefined ? ', required' : `, default ${String(p.default)}`})</span>
            </label>
            {p.type === 'boolean' ? (
              <input id={`macro-param-${p.name}`} type="checkbox" checked={draft[p.name] === true} onChange={(e) => setDraft({ ...draft, [p.name]: e.target.checked })} />
            ) : (
              <input
                id={`macro-param-${p.name}`}
                type={p.type === 'number' ? 'number' : 'text'}
                step="any"
                required={p.default === undefined}
                value={String(draft[p.name] ?? '')}
                onChange={(e) => setDraft({ ...draft, [p.name]: e.target.value })}
              />
            )}
            {p.description ? <span className="muted">{p.description}</span> : null}
          </div>
        ))}
        <div className="buttons">
          <button type="submit" disabled={Boolean(active)} aria-label={`Replay ${macro.name}`}>
            Replay
          </button>
          <label className="check">
            <input type="checkbox" checked={dryRun} onChange={(e) => setDryRun(e.target.checked)} /> Dry run (find the targets, do not touch the mouse or keyboard)
          </label>
          <RunButtons active={active} noun="replay" onControl={(c) => void control(c)} />
        </div>
      </form>
      {other ? (
        <p className="macro-note-busy" role="status">
          "{other.macro}" is replaying now ({STATUS_WORDS[other.status]}): one run at a time. Stop it with the Stop button above, or open it to follow it.
        </p>
      ) : null}
      {problem ? (
        <p role="alert" className="problem">
          {problem}
        </p>
      ) : null}
      {mine.map((c) => (
        <ConfirmCard key={c.requestId} api={api} request={c} onError={setProblem} />
      ))}
      {run ? (
        <div className="run macro-run" data-status={run.status} aria-label={`Replay of ${macro.name}`} aria-live="polite">
          <div className={`status status-${run.status}`}>
            {STATUS_WORDS[run.status]}
            {run.status === 'paused' && run.pausedReason ? `: ${run.pausedReason}` : ''}
            {run.error ? ` — ${run.error}` : ''}
          </div>
          <StepList steps={run.steps} />
        </div>
      ) : null}
    </section>
  );
}
