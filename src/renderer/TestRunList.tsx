import type { TestRunView } from '../shared/ipc-tests.js';
import { countsText, ReportLinks, seconds } from './TestProgress.js';

/** Earlier test runs, read from their output folders, each with its reports. */
export function TestRunList({ runs, onRefresh }: { runs: TestRunView[]; onRefresh: () => void }) {
  return (
    <section className="tests-history" aria-label="Previous test runs">
      <div className="row">
        <h2>Previous test runs</h2>
        <button type="button" onClick={onRefresh}>
          Refresh
        </button>
      </div>
      {runs.length === 0 ? <p className="muted">No test runs yet.</p> : null}
      <ul className="tests-run-list" aria-label="Test runs">
        {runs.map((r) => (
          <li key={r.id} data-run={r.id} data-status={r.status}>
            <span className={`tests-state tests-state-${r.status}`}>{r.status}</span>{' '}
            {new Date(r.startedAt).toLocaleString()}{' '}
            <span className="muted">
              · {r.files.join(', ')} · {r.workers} worker(s)
              {r.summary ? ` · ${countsText(r.summary.counts)} in ${seconds(r.summary.durationMs)}` : ''}
            </span>{' '}
            <ReportLinks run={r} />
          </li>
        ))}
      </ul>
    </section>
  );
}
