import { useState } from 'react';
import type { ConfirmAnswerSchema, ConfirmRequestView, DeskApi } from '../shared/ipc.js';
import type { z } from 'zod';
import { screenshotUrl } from './client.js';
import { ZoomedShot } from './StepList.js';

/** The area around the target at about its real size: readable, unlike a whole-screen miniature. */
const SHOT = { w: 520, h: 200, zoom: 1.8 };

type Answer = z.infer<typeof ConfirmAnswerSchema>;

const BUTTONS: Array<{ answer: Answer; label: string; hint: string }> = [
  { answer: 'allow_once', label: 'Allow once', hint: 'do this step, ask again next time' },
  { answer: 'allow_run', label: 'Allow for this run', hint: 'do this and similar steps in this run without asking' },
  { answer: 'deny', label: 'Deny', hint: 'do not do it; the run stops' },
  { answer: 'take_over', label: 'Take over', hint: 'pause the run and do it yourself' },
];

/** A step that needs a person: what it would do, where (the annotated target), and why. */
export function ConfirmCard({ api, request, onError }: { api: DeskApi; request: ConfirmRequestView; onError: (m: string) => void }) {
  const [busy, setBusy] = useState(false);
  const titleId = `confirm-${request.requestId}`;
  async function answer(a: Answer) {
    setBusy(true);
    const r = await api.invoke('confirm.answer', { requestId: request.requestId, answer: a });
    if (!r.ok) onError(r.error.message);
    setBusy(false);
  }
  return (
    <section className="card confirm" role="alertdialog" aria-labelledby={titleId}>
      <h3 id={titleId}>DeskPilot wants to: {request.description}</h3>
      <ul className="reasons" aria-label="Why it asks">
        {request.reasons.map((r) => (
          <li key={r}>It {r}</li>
        ))}
      </ul>
      {request.screenshotId ? (
        <a className="thumb confirm-shot" href={screenshotUrl(request.screenshotId)} target="_blank" rel="noreferrer" aria-label="Open the whole screen in full size">
          <ZoomedShot screenshotId={request.screenshotId} point={request.point} box={SHOT} annotated alt={`The target of "${request.description}", marked on the screen`} />
        </a>
      ) : null}
      <div className="buttons">
        {BUTTONS.map((b) => (
          <button key={b.answer} type="button" disabled={busy} title={b.hint} autoFocus={b.answer === 'deny'} className={b.answer === 'deny' ? 'danger' : ''} onClick={() => void answer(b.answer)}>
            {b.label}
          </button>
        ))}
      </div>
    </section>
  );
}
