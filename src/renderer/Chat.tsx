import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import type { DeskApi } from '../shared/ipc.js';
import { ConfirmCard } from './ConfirmCard.js';
import { applyEvent, fillFromRecords, FINISHED, STATUS_WORDS, type RunView } from './feed.js';
import { RunButtons, useConfirmRequests, type RunChannel } from './RunControls.js';
import { StepList } from './StepList.js';

/** The chat: commands or a goal in, each run's steps out as they happen, with its controls. */
export function Chat({ api, dryRunDefault }: { api: DeskApi; dryRunDefault: boolean }) {
  const [text, setText] = useState('');
  const [dryRun, setDryRun] = useState(dryRunDefault);
  const [runs, setRuns] = useState<RunView[]>([]);
  const [problem, setProblem] = useState<string>();
  const confirms = useConfirmRequests(api);
  const endRef = useRef<HTMLDivElement>(null);

  useEffect(() => setDryRun(dryRunDefault), [dryRunDefault]);
  useEffect(() => {
    const offEngine = api.on('engine', (e) => {
      setRuns((all) => all.map((r) => (r.runId === e.runId || (e.type === 'run_started' && r.status === 'starting' && !r.runId) ? applyEvent(r, e) : r)));
      if (e.type === 'run_finished') {
        void api.invoke('runs.get', { id: e.runId }).then((res) => {
          if (res.ok) setRuns((all) => all.map((r) => (r.runId === e.runId ? fillFromRecords(r, res.value.steps) : r)));
        });
      }
    });
    return offEngine;
  }, [api]);
  useEffect(() => {
    // A block body: newer Chromium returns a promise from scrollIntoView, which React would
    // take for this effect's clean-up function.
    endRef.current?.scrollIntoView({ block: 'end' });
  }, [runs, confirms]);

  const active = runs.find((r) => !FINISHED.has(r.status));

  async function submit(e?: FormEvent) {
    e?.preventDefault();
    const said = text.trim();
    if (!said || active) return;
    setProblem(undefined);
    const key = `${Date.now()}`;
    setRuns((all) => [...all, { key, text: said, status: 'starting', steps: [] }]);
    setText('');
    const r = await api.invoke('run.start', { text: said, dryRun });
    if (!r.ok) {
      setRuns((all) => all.map((x) => (x.key === key ? { ...x, status: 'failed', error: r.error.message } : x)));
    }
  }

  function onKey(e: KeyboardEvent<HTMLTextAreaElement>) {
    // Enter sends, Shift+Enter makes a new line (several commands, one per line).
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      void submit();
    }
  }

  async function control(channel: RunChannel) {
    if (!active?.runId) return;
    const r = await api.invoke(channel, { runId: active.runId });
    if (!r.ok) setProblem(r.error.message);
  }

  return (
    <section className="panel chat" aria-label="Chat">
      <div className="feed" aria-live="polite">
        {runs.length === 0 ? (
          <p className="muted">
            Type direct commands such as <code>click "Save"; type "hello" into "Name"; press ctrl+s</code>, or a goal in words when a planner model is set up.
          </p>
        ) : null}
        {runs.map((r) => (
          <article key={r.key} className="run" data-status={r.status} aria-label={`Run: ${r.text}`}>
            <div className="said">{r.text}</div>
            <div className={`status status-${r.status}`}>
              {STATUS_WORDS[r.status]}
              {r.status === 'paused' && r.pausedReason ? `: ${r.pausedReason}` : ''}
              {r.error ? ` — ${r.error}` : ''}
            </div>
            <StepList steps={r.steps} />
          </article>
        ))}
        <div ref={endRef} />
      </div>
      {/* Pinned above the input, outside the scrolling feed, so a waiting question is never off screen. */}
      {confirms.length ? (
        <div className="confirms">
          {confirms.map((c) => (
            <ConfirmCard key={c.requestId} api={api} request={c} onError={setProblem} />
          ))}
        </div>
      ) : null}
      {problem ? (
        <p className="problem" role="alert">
          {problem}
        </p>
      ) : null}
      <form className="composer" onSubmit={(e) => void submit(e)}>
        <label htmlFor="say">Command or goal</label>
        <textarea id="say" rows={2} value={text} onChange={(e) => setText(e.target.value)} onKeyDown={onKey} placeholder='click "Save"; press ctrl+s' aria-label="Command or goal" />
        <div className="buttons">
          <button type="submit" disabled={!text.trim() || Boolean(active)}>
            Run
          </button>
          <label className="check">
            <input type="checkbox" checked={dryRun} onChange={(e) => setDryRun(e.target.checked)} /> Dry run (do not touch the mouse or keyboard)
          </label>
          <RunButtons active={active} noun="run" onControl={(c) => void control(c)} />
        </div>
      </form>
    </section>
  );
}
