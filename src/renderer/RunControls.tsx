import { useEffect, useState } from 'react';
import type { ConfirmRequestView, DeskApi } from '../shared/ipc.js';
import type { RunView } from './feed.js';

export type RunChannel = 'run.pause' | 'run.resume' | 'run.stop';

/** The confirmation cards waiting for an answer, as the host announces and closes them. */
export function useConfirmRequests(api: DeskApi): ConfirmRequestView[] {
  const [confirms, setConfirms] = useState<ConfirmRequestView[]>([]);
  useEffect(() => {
    const offAsk = api.on('confirm.request', (c) => setConfirms((all) => (all.some((x) => x.requestId === c.requestId) ? all : [...all, c])));
    const offClosed = api.on('confirm.closed', (c) => setConfirms((all) => all.filter((x) => x.requestId !== c.requestId)));
    return () => {
      offAsk();
      offClosed();
    };
  }, [api]);
  return confirms;
}

/** Pause (or Resume) and Stop for the run in progress; `noun` names it for screen readers. */
export function RunButtons({ active, noun, onControl }: { active: RunView | undefined; noun: string; onControl: (channel: RunChannel) => void }) {
  return (
    <>
      {active?.status === 'paused' ? (
        <button type="button" onClick={() => onControl('run.resume')} aria-label={`Resume the ${noun}`}>
          Resume
        </button>
      ) : (
        <button type="button" disabled={!active?.runId} onClick={() => onControl('run.pause')} aria-label={`Pause the ${noun}`}>
          Pause
        </button>
      )}
      <button type="button" className="danger" disabled={!active?.runId} onClick={() => onControl('run.stop')} aria-label={`Stop the ${noun}`}>
        Stop
      </button>
    </>
  );
}
