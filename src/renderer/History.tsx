import { useCallback, useEffect, useState } from 'react';
import type { DeskApi } from '../shared/ipc.js';
import type { RunRecord } from '../shared/records.js';
import { describeStep } from '../shared/steps.js';
import { stepFromRecord, type StepView } from './feed.js';
import { StepList } from './StepList.js';

/** Past runs from the database; opening one shows its steps with their screenshots. */
export function History({ api }: { api: DeskApi }) {
  const [runs, setRuns] = useState<RunRecord[]>([]);
  const [open, setOpen] = useState<{ run: RunRecord; steps: StepView[] }>();
  const [problem, setProblem] = useState<string>();

  const refresh = useCallback(async () => {
    const r = await api.invoke('runs.list', { limit: 50 });
    if (r.ok) setRuns(r.value);
    else setProblem(r.error.message);
  }, [api]);

  useEffect(() => {
    void refresh();
    return api.on('engine', (e) => {
      if (e.type === 'run_finished' || e.type === 'run_started') void refresh();
    });
  }, [api, refresh]);

  async function show(id: string) {
    const r = await api.invoke('runs.get', { id });
    if (!r.ok) return setProblem(r.error.message);
    setOpen({ run: r.value.run, steps: r.value.steps.map((s) => stepFromRecord(s, describeStep(s.step))) });
  }

  return (
    <section className="panel history" aria-label="History">
      <div className="history-list">
        <div className="row">
          <h2>Runs</h2>
          <button type="button" onClick={() => void refresh()}>
            Refresh
          </button>
        </div>
        {problem ? <p role="alert" className="problem">{problem}</p> : null}
        {runs.length === 0 ? <p className="muted">No runs yet.</p> : null}
        <ul aria-label="Past runs">
          {runs.map((r) => (
            <li key={r.id}>
              <button type="button" className={`run-link ${open?.run.id === r.id ? 'selected' : ''}`} aria-current={open?.run.id === r.id} onClick={() => void show(r.id)}>
                <span className={`status status-${r.status}`}>{r.status}</span> {r.title}
                <span className="muted"> · {new Date(r.startedAt).toLocaleString()}</span>
              </button>
            </li>
          ))}
        </ul>
      </div>
      <div className="history-detail" aria-live="polite">
        {open ? (
          <>
            <h2>{open.run.title}</h2>
            <p className={`status status-${open.run.status}`}>
              {open.run.status}
              {open.run.error ? ` — ${open.run.error.message}` : ''}
            </p>
            <StepList steps={open.steps} />
          </>
        ) : (
          <p className="muted">Choose a run to see its steps.</p>
        )}
      </div>
    </section>
  );
}
