import { useEffect, useState } from 'react';
import type { DeskApi } from '../shared/ipc.js';
import type { MacroHealView } from '../shared/ipc-macros.js';

function lineClass(line: string): string {
  if (line.startsWith('+++') || line.startsWith('---')) return 'macro-diff-file';
  if (line.startsWith('@@')) return 'macro-diff-hunk';
  if (line.startsWith('+')) return 'macro-diff-add';
  if (line.startsWith('-')) return 'macro-diff-del';
  return 'macro-diff-ctx';
}

/** The repairs the last replays found, as a coloured unified diff of the file: Approve or Discard. */
export function MacroHeal({ api, name, onDone }: { api: DeskApi; name: string; onDone: (note: string) => Promise<void> }) {
  const [heal, setHeal] = useState<MacroHealView>();
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    void api.invoke('macros.heal.get', { name }).then((r) => {
      if (!live) return;
      if (r.ok) setHeal(r.value);
      else setProblem(r.error.message);
    });
    return () => {
      live = false;
    };
  }, [api, name]);

  async function decide(channel: 'macros.heal.apply' | 'macros.heal.discard') {
    setBusy(true);
    const r = await api.invoke(channel, { name });
    setBusy(false);
    if (!r.ok) return setProblem(r.error.message);
    await onDone(channel === 'macros.heal.apply' ? 'repairs applied as a new version' : 'repairs discarded');
  }

  return (
    <section className="macro-section macro-heal" aria-labelledby="macro-heal-title">
      <h3 id="macro-heal-title">Repairs to review</h3>
      <p className="muted">The last replay found some steps by weaker evidence than recorded. Approving writes these changes as a new version.</p>
      {heal?.repairs.length ? (
        <ul aria-label="Why">
          {heal.repairs.map((r) => (
            <li key={r.step}>
              <code>{r.step}</code>: {r.reason}
            </li>
          ))}
        </ul>
      ) : null}
      {heal?.diff ? (
        <pre className="macro-diff" aria-label="Proposed changes (unified diff)" tabIndex={0}>
          {heal.diff
            .replace(/\n$/, '')
            .split('\n')
            .map((l, i) => (
              <span key={i} className={lineClass(l)}>
                {l}
                {'\n'}
              </span>
            ))}
        </pre>
      ) : heal ? (
        <p className="muted">No change to the file is waiting.</p>
      ) : null}
      {problem ? (
        <p role="alert" className="problem">
          {problem}
        </p>
      ) : null}
      <div className="buttons">
        <button type="button" disabled={busy || !heal?.diff} onClick={() => void decide('macros.heal.apply')} aria-label="Approve the repairs">
          Approve
        </button>
        <button type="button" className="danger" disabled={busy || !heal} onClick={() => void decide('macros.heal.discard')} aria-label="Discard the repairs">
          Discard
        </button>
      </div>
    </section>
  );
}
