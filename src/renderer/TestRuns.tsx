import { useCallback, useEffect, useMemo, useState, type FormEvent } from 'react';
import type { DeskApi } from '../shared/ipc.js';
import {
  MAX_TEST_WORKERS,
  TEST_REPORTERS,
  type TaskFilesView,
  type TestRunView,
  type TestTaskProgress,
} from '../shared/ipc-tests.js';
import { TestFilePicker } from './TestFilePicker.js';
import { TestProgress } from './TestProgress.js';
import { TestRunList } from './TestRunList.js';

type Reporter = (typeof TEST_REPORTERS)[number];

/**
 * The Test runs screen (issue 9): pick task files, set the options, Run and Stop, watch each
 * task's state, open the HTML report, and see earlier runs. Runs use private virtual displays.
 */
export function TestRuns({ api }: { api: DeskApi }) {
  const [listing, setListing] = useState<TaskFilesView>();
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [problem, setProblem] = useState<string>();
  const [workers, setWorkers] = useState(1);
  const [retries, setRetries] = useState(0);
  const [repeatEach, setRepeatEach] = useState(1);
  const [stopFirst, setStopFirst] = useState(false);
  const [grep, setGrep] = useState('');
  const [tags, setTags] = useState<Set<string>>(new Set());
  const [reporters, setReporters] = useState<Set<Reporter>>(new Set(['html']));
  const [current, setCurrent] = useState<string>();
  const [progress, setProgress] = useState<Record<string, Record<string, TestTaskProgress>>>({});
  const [finished, setFinished] = useState<Record<string, TestRunView>>({});
  const [runs, setRuns] = useState<TestRunView[]>([]);
  const [starting, setStarting] = useState(false);
  const [workersReady, setWorkersReady] = useState<Record<string, number>>({});

  const list = useCallback(
    async (pattern: string) => {
      setProblem(undefined);
      const r = await api.invoke('tests.files', { pattern });
      if (!r.ok) return setProblem(r.error.message);
      setListing(r.value);
      setTags(new Set());
      setSelected(new Set(r.value.files.filter((f) => f.tasks.length > 0).map((f) => f.file)));
      if (r.value.files.length === 0) setProblem(`No task files match ${r.value.pattern}.`);
    },
    [api],
  );

  const refreshRuns = useCallback(async () => {
    const r = await api.invoke('tests.runs', { limit: 30 });
    if (!r.ok) return;
    setRuns(r.value);
    // A page opened (or reloaded) during a run can still follow and stop it.
    const live = r.value.find((v) => v.status === 'running');
    if (live) setCurrent((c) => c ?? live.id);
  }, [api]);

  useEffect(() => {
    void list('examples');
    void refreshRuns();
    const offProgress = api.on('tests.progress', ({ runId, tasks, workersReady: ready }) => {
      setProgress((all) => ({
        ...all,
        [runId]: { ...all[runId], ...Object.fromEntries(tasks.map((t) => [t.key, t])) },
      }));
      if (ready !== undefined) setWorkersReady((all) => ({ ...all, [runId]: ready }));
    });
    const offFinished = api.on('tests.finished', (view) => {
      setFinished((all) => ({ ...all, [view.id]: view }));
      void refreshRuns();
    });
    return () => {
      offProgress();
      offFinished();
    };
  }, [api, list, refreshRuns]);

  const allTags = useMemo(
    () => [...new Set(listing?.files.flatMap((f) => f.tasks.flatMap((t) => t.tags)) ?? [])].sort(),
    [listing],
  );
  // The end of the current run: its event, or the list (should the event have been missed while reconnecting).
  const ended = current
    ? (finished[current] ?? runs.find((r) => r.id === current && r.status !== 'running'))
    : undefined;
  const running = current !== undefined && !ended;

  async function run(e: FormEvent) {
    e.preventDefault();
    setProblem(undefined);
    setStarting(true);
    try {
      const r = await api.invoke('tests.run', {
        files: [...selected],
        workers,
        retries,
        repeatEach,
        ...(stopFirst ? { maxFailures: 1 } : {}),
        tags: [...tags],
        reporters: [...reporters],
        ...(grep.trim() ? { grep: grep.trim() } : {}),
      });
      if (!r.ok) return setProblem(r.error.message);
      setCurrent(r.value.id);
      void refreshRuns();
    } finally {
      setStarting(false);
    }
  }

  async function stop() {
    if (!current) return;
    const r = await api.invoke('tests.stop', { runId: current });
    if (!r.ok) setProblem(r.error.message);
  }

  const toggle = <T,>(set: Set<T>, value: T, on: boolean): Set<T> => {
    const next = new Set(set);
    if (on) next.add(value);
    else next.delete(value);
    return next;
  };

  return (
    <section className="panel tests" aria-label="Test runs">
      <p className="tests-note" role="note">
        Test runs use private virtual displays (one Xvfb per worker): they never touch your screen or the app
        the chat drives, so they can run while the chat is idle.
      </p>
      <TestFilePicker
        listing={listing}
        selected={selected}
        problem={problem}
        onList={(p) => void list(p)}
        onToggle={(f, on) => setSelected((s) => toggle(s, f, on))}
      />
      <form className="tests-options" onSubmit={(e) => void run(e)} aria-label="Run options">
        <fieldset>
          <legend>Options</legend>
          <div className="tests-row">
            <NumberField
              id="tests-workers"
              label="Workers"
              min={1}
              max={MAX_TEST_WORKERS}
              value={workers}
              onChange={setWorkers}
            />
            <NumberField
              id="tests-retries"
              label="Retries"
              min={0}
              max={5}
              value={retries}
              onChange={setRetries}
            />
            <NumberField
              id="tests-repeat"
              label="Repeat each"
              title="Run each task this many times, to find the flaky ones"
              min={1}
              max={20}
              value={repeatEach}
              onChange={setRepeatEach}
            />
            <label className="check">
              <input type="checkbox" checked={stopFirst} onChange={(e) => setStopFirst(e.target.checked)} />
              Stop at the first failure
            </label>
            <label htmlFor="tests-grep">Filter (regular expression)</label>
            <input
              id="tests-grep"
              value={grep}
              onChange={(e) => setGrep(e.target.value)}
              placeholder="e.g. smoke|csv"
              spellCheck={false}
            />
          </div>
          {allTags.length ? (
            <div className="tests-row" role="group" aria-label="Only tasks tagged">
              <span>Only tags:</span>
              {allTags.map((t) => (
                <label key={t} className="check">
                  <input
                    type="checkbox"
                    checked={tags.has(t)}
                    onChange={(e) => setTags((s) => toggle(s, t, e.target.checked))}
                  />
                  @{t}
                </label>
              ))}
            </div>
          ) : null}
          <div className="tests-row" role="group" aria-label="Reports">
            <span>Reports:</span>
            {TEST_REPORTERS.map((r) => (
              <label key={r} className="check">
                <input
                  type="checkbox"
                  checked={reporters.has(r)}
                  onChange={(e) => setReporters((s) => toggle(s, r, e.target.checked))}
                />
                {r}
              </label>
            ))}
          </div>
          <div className="buttons">
            <button type="submit" disabled={running || starting || selected.size === 0}>
              Run
            </button>
            <button type="button" className="danger" disabled={!running} onClick={() => void stop()}>
              Stop
            </button>
            <span className="muted">{selected.size} file(s) selected</span>
          </div>
        </fieldset>
      </form>
      {current ? (
        <TestProgress
          runId={current}
          tasks={Object.values(progress[current] ?? {})}
          finished={ended}
          workers={{ ready: workersReady[current] ?? 0, asked: runs.find((r) => r.id === current)?.workers }}
        />
      ) : null}
      <TestRunList runs={runs} onRefresh={() => void refreshRuns()} />
    </section>
  );
}

/** A labelled whole-number input that keeps its value within [min, max]. */
function NumberField(props: {
  id: string;
  label: string;
  title?: string;
  min: number;
  max: number;
  value: number;
  onChange: (value: number) => void;
}) {
  return (
    <>
      <label htmlFor={props.id} {...(props.title ? { title: props.title } : {})}>
        {props.label}
      </label>
      <input
        id={props.id}
        type="number"
        min={props.min}
        max={props.max}
        value={props.value}
        onChange={(e) => props.onChange(clamp(e.target.valueAsNumber, props.min, props.max))}
      />
    </>
  );
}

function clamp(n: number, min: number, max: number): number {
  return Number.isFinite(n) ? Math.min(max, Math.max(min, Math.round(n))) : min;
}
