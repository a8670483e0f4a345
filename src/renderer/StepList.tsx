import { useState } from 'react';
import { screenshotUrl } from './client.js';
import type { StepView } from './feed.js';

const OUTCOME_WORDS: Record<StepView['outcome'], string> = {
  running: 'running…',
  waiting: 'waiting for you',
  pending: 'pending',
  succeeded: 'done',
  failed: 'failed',
  skipped: 'skipped',
  denied: 'denied',
};

/**
 * A screenshot in a fixed box. With a point, it shows the area around it enlarged (a whole
 * screen at thumbnail size shows nothing readable) and, unless the screenshot is annotated
 * already, a dot on the point; without one, the whole screen. Screenshot pixels are taken as
 * desktop pixels: true on one display at scale 1, the common case.
 */
export function ZoomedShot(props: { screenshotId: string; point?: { x: number; y: number } | undefined; box: { w: number; h: number; zoom: number }; annotated?: boolean | undefined; alt: string }) {
  const [size, setSize] = useState<{ w: number; h: number } | undefined>();
  const zoom = props.point && size ? zoomAt(props.point, size, props.box) : undefined;
  return (
    <>
      <img
        src={screenshotUrl(props.screenshotId)}
        className={zoom ? 'zoomed' : ''}
        style={zoom?.img}
        alt={props.alt}
        onLoad={(e) => setSize({ w: e.currentTarget.naturalWidth, h: e.currentTarget.naturalHeight })}
      />
      {zoom && !props.annotated ? <span className="dot" style={zoom.dot} /> : null}
    </>
  );
}

/** Scales the screenshot to `zoom` box widths, centred on the point (clamped to the edges). */
function zoomAt(p: { x: number; y: number }, size: { w: number; h: number }, box: { w: number; h: number; zoom: number }) {
  const width = box.w * box.zoom;
  const scale = width / size.w;
  const height = size.h * scale;
  const left = Math.min(0, Math.max(box.w - width, box.w / 2 - p.x * scale));
  const top = Math.min(0, Math.max(box.h - height, box.h / 2 - p.y * scale));
  return {
    img: { width: `${width}px`, height: `${height}px`, left: `${left}px`, top: `${top}px` },
    dot: { left: `${left + p.x * scale}px`, top: `${top + p.y * scale}px` },
  };
}

const THUMB = { w: 240, h: 135, zoom: 2.5 };

function Thumb({ step }: { step: StepView }) {
  if (!step.screenshotId) return <div className="thumb thumb-empty" aria-hidden="true" />;
  return (
    <a className="thumb" href={screenshotUrl(step.screenshotId)} target="_blank" rel="noreferrer" aria-label={`Open the screenshot of step ${step.index + 1} in full size`}>
      <ZoomedShot
        screenshotId={step.screenshotId}
        point={step.point}
        box={THUMB}
        annotated={step.annotated}
        alt={`Screen at step ${step.index + 1}${step.point ? `, target at ${Math.round(step.point.x)}, ${Math.round(step.point.y)}` : ''}`}
      />
    </a>
  );
}

export function StepList({ steps }: { steps: StepView[] }) {
  if (steps.length === 0) return null;
  return (
    <ol className="steps" aria-label="Steps">
      {steps.map((s) => (
        <li key={s.index} className={`step step-${s.outcome}`} data-outcome={s.outcome}>
          <Thumb step={s} />
          <div className="step-text">
            <div>
              <strong>{s.index + 1}.</strong> {s.description}
            </div>
            {s.thought ? <div className="muted">{s.thought}</div> : null}
            {s.point ? (
              <div className="muted">
                found by {s.foundBy ?? '?'}
                {s.confidence !== undefined ? ` (${Math.round(s.confidence * 100)}%)` : ''} at {Math.round(s.point.x)}, {Math.round(s.point.y)}
              </div>
            ) : null}
            <div className={`outcome outcome-${s.outcome}`}>
              {OUTCOME_WORDS[s.outcome]}
              {s.durationMs !== undefined ? ` in ${(s.durationMs / 1000).toFixed(1)} s` : ''}
              {s.error ? `: ${s.error}` : ''}
            </div>
          </div>
        </li>
      ))}
    </ol>
  );
}
