import type { IpcEventName, IpcEvents } from '../shared/ipc.js';

/**
 * What the tray, the status widget and the stop hotkey need to know about the run in progress,
 * folded from the service's events. Pure: unit-tested without Electron
 * (test/unit/host/main-run-state.test.ts).
 */
export type RunState =
  | { phase: 'idle' }
  | {
      phase: 'running' | 'paused' | 'confirming';
      runId: string;
      title: string;
      /** The step in flight, in words ("Step 2: click "Save""). */
      step?: string;
      /** Why it is paused (a person took the mouse, the Pause button). */
      reason?: string;
    };

export const IDLE: RunState = { phase: 'idle' };

export function nextRunState<E extends IpcEventName>(state: RunState, event: E, payload: IpcEvents[E]): RunState {
  if (event === 'confirm.request') {
    const p = payload as IpcEvents['confirm.request'];
    return state.phase !== 'idle' && state.runId === p.runId ? { ...state, phase: 'confirming' } : state;
  }
  if (event === 'confirm.closed') return state.phase === 'confirming' ? { ...state, phase: 'running' } : state;
  if (event !== 'engine') return state;
  const e = payload as IpcEvents['engine'];
  if (e.type === 'run_started') return { phase: 'running', runId: e.runId, title: e.title };
  // Events of another run (a finished one) do not move this one.
  if (state.phase === 'idle' || e.runId !== state.runId) return state;
  switch (e.type) {
    case 'step_started':
      return { ...state, step: `Step ${e.index + 1}: ${e.description}` };
    case 'run_paused':
      return { ...state, phase: 'paused', reason: e.reason };
    case 'run_resumed': {
      const { reason: _reason, ...rest } = state;
      return { ...rest, phase: 'running' };
    }
    case 'run_finished':
      return IDLE;
    default:
      return state;
  }
}

/** The tray icon's tooltip. */
export function trayTooltip(state: RunState): string {
  switch (state.phase) {
    case 'idle':
      return 'DeskPilot: idle';
    case 'running':
      return `DeskPilot: running — ${clip(state.step ?? state.title, 80)}`;
    case 'paused':
      return `DeskPilot: paused — ${clip(state.reason ?? state.title, 80)}`;
    case 'confirming':
      return `DeskPilot: waiting for your answer — ${clip(state.step ?? state.title, 60)}`;
  }
}

export type TrayAction = 'show' | 'pause' | 'resume' | 'stop' | 'quit';

export type TrayItem = { type: 'separator' } | { type: 'normal'; action: TrayAction; label: string; enabled: boolean };

/** The tray menu for a run state: the items are always there, enabled when they apply. */
export function trayMenu(state: RunState): TrayItem[] {
  const live = state.phase !== 'idle';
  return [
    { type: 'normal', action: 'show', label: 'Show window', enabled: true },
    { type: 'separator' },
    { type: 'normal', action: 'pause', label: 'Pause', enabled: state.phase === 'running' },
    { type: 'normal', action: 'resume', label: 'Resume', enabled: state.phase === 'paused' },
    { type: 'normal', action: 'stop', label: 'Stop run', enabled: live },
    { type: 'separator' },
    { type: 'normal', action: 'quit', label: live ? 'Quit (stops the run)' : 'Quit', enabled: true },
  ];
}

/** What the status widget shows; `visible` false hides it (no run). */
export function widgetView(state: RunState): { visible: boolean; line: string; status: string; pause: 'Pause' | 'Resume' | null } {
  if (state.phase === 'idle') return { visible: false, line: '', status: '', pause: null };
  const status = state.phase === 'running' ? 'Running' : state.phase === 'paused' ? `Paused${state.reason ? `: ${state.reason}` : ''}` : 'Waiting for your answer in DeskPilot';
  return {
    visible: true,
    line: clip(state.step ?? state.title, 70),
    status: clip(status, 70),
    pause: state.phase === 'running' ? 'Pause' : state.phase === 'paused' ? 'Resume' : null,
  };
}

function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
