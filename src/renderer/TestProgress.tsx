import { useEffect, useState } from 'react';
import type { TestRunView, TestTaskProgress } from '../shared/ipc-tests.js';
import { launchToken } from './client.js';

/** The report of a run, opened through the host (the token rides along for the first request). */
export function reportHref(reportPath: string): string {
  return `${reportPath}?token=${encodeURIComponent(launchToken())}`;
}

export function seconds(ms: number | undefined): string {
  return ms === undefined ? '' : `${(ms / 1000).toFixed(1)} s`;
}

/** Counts as one line: "2 passed, 1 failed, 1 load error". */
export function countsText(counts: Record<string, number>): string {
  return Object.entries(counts)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k.replace('_', ' ')}`)
    .join(', ');
}

/** Live state of the current run, task by task, then its summary and report. */
export function TestProgress(props: {
  runId: string;
  tasks: TestTaskProgress[];
  finished: TestRunView | undefined;
  workers: { ready: number; asked: number | undefined };
}) {
  const { runId, tasks, finished, workers } = props;
  const now = useClock(!finished && tasks.some((t) => t.state === 'running' || t.state === 'retrying'));
  return (
    <section
      className="tests-progress"
      aria-label="Progress"
      data-run={runId}
      data-status={finished?.status ?? 'running'}
    >
      <h2>
        Run <code>{runId}</code>{' '}
        <span className={`tests-state tests-state-${finished?.status ?? 'running'}`}>
          {finished?.status ?? 'running'}
        </span>
      </h2>
      {finished ? null : (
        <p className="muted tests-workers" role="status">
          {workers.ready} of {Math.min(workers.asked ?? 1, tasks.length || 1)} worker display(s) ready
        </p>
      )}
      <table className="tests-table" aria-label="Task progress">
        <thead>
          <tr>
            <th scope="col">State</th>
            <th scope="col">Task</th>
            <th scope="col">File</th>
            <th scope="col">Time</th>
            <th scope="col">Detail</th>
          </tr>
        </thead>
        <tbody>
          {tasks.map((t) => (
            <tr key={t.key} data-task={t.id} data-repeat={t.repeat} data-state={t.state}>
              <td>
                <span className={`tests-state tests-state-${t.state}`}>{t.state.replace('_', ' ')}</span>
                {t.attempt && t.attempt > 1 ? <span className="muted"> (attempt {t.attempt})</span> : null}
              </td>
              <td>
                <code>{t.id}</code>
                {t.repeat ? <span className="muted"> (repeat {t.repeat})</span> : null}
              </td>
              <td className="muted">{t.file}</td>
              <td>
                {t.state === 'skipped'
                  ? ''
                  : t.durationMs !== undefined
                    ? seconds(t.durationMs)
                    : t.startedAt && !finished
                      ? seconds(Math.max(0, now - t.startedAt))
                      : ''}
              </td>
              <td className="tests-detail">{t.detail}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div aria-live="polite">
        {finished ? (
          <div className="tests-summary">
            <p>
              <strong>
                {finished.summary?.ok
                  ? 'All tasks passed'
                  : finished.status === 'stopped'
                    ? 'Stopped'
                    : 'Some tasks did not pass'}
              </strong>
              {finished.summary
                ? ` — ${countsText(finished.summary.counts)} in ${seconds(finished.summary.durationMs)}`
                : ''}
            </p>
            {finished.error ? (
              <p role="alert" className="problem">
                The run could not start: {finished.error}
              </p>
            ) : null}
            {finished.summary?.loadErrors.length ? (
              <ul className="tests-errors" aria-label="Load errors">
                {finished.summary.loadErrors.map((e, i) => (
                  <li key={i}>
                    <code>{e.where}</code>
                  </li>
                ))}
              </ul>
            ) : null}
            <ReportLinks run={finished} />
          </div>
        ) : null}
      </div>
    </section>
  );
}

/** The time now, ticking each second while `on`: the running tasks' times count up. */
function useClock(on: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!on) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [on]);
  return now;
}

export function ReportLinks({ run }: { run: TestRunView }) {
  if (run.status === 'running') return <span className="muted">reports when it ends</span>;
  return (
    <span className="tests-links">
      {run.reportPath ? (
        <a
          href={reportHref(run.reportPath)}
          target="_blank"
          rel="noopener noreferrer"
          aria-label={`Open report of run ${run.id}`}
        >
          Open report
        </a>
      ) : (
        <span className="muted">no HTML report</span>
      )}
      {Object.entries(run.reports)
        .filter(([name]) => name !== 'html')
        .map(([name, p]) => (
          <a key={name} href={reportHref(p)} target="_blank" rel="noopener noreferrer">
            {name}
          </a>
        ))}
    </span>
  );
}
