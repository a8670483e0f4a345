import { existsSync } from 'node:fs';
import { serializeError, AppError } from '../shared/errors.js';
import type { IpcResult } from '../shared/ipc.js';
import { dispatch } from '../host/dispatch.js';
import type { DeskService } from '../host/service.js';
import { DEFAULT_STOP_HOTKEY } from './hotkey.js';
import type { RunState } from './run-state.js';

/**
 * The main process's decisions, as plain functions: unit-tested without the Electron binary
 * (test/unit/host/main-logic.test.ts); src/main/index.ts only wires them to Electron's APIs.
 */

export const STOP_HOTKEY = DEFAULT_STOP_HOTKEY;
export const INVOKE_CHANNEL = 'deskpilot:invoke';
export const EVENT_CHANNEL = 'deskpilot:event';
/** The status widget's two channels (src/preload/widget.ts): its view in, its buttons out. */
export const WIDGET_VIEW_CHANNEL = 'deskpilot:widget-view';
export const WIDGET_ACTION_CHANNEL = 'deskpilot:widget-action';

/** What the global hotkey does: stop the run in progress, if any; says what happened. */
export function onStopHotkey(service: Pick<DeskService, 'stopActive'>, hotkey = STOP_HOTKEY): string {
  return service.stopActive(`stopped by the hotkey ${hotkey}`) ? 'run stopped' : 'no run in progress';
}

/**
 * A run control from the tray or the status widget, on the run the state says is active. Says
 * what happened; a control that does not apply (Pause with no run) does nothing.
 */
export async function controlRun(service: Pick<DeskService, 'handlers' | 'stopActive'>, state: RunState, action: 'pause' | 'resume' | 'stop', from: string): Promise<string> {
  if (state.phase === 'idle') return 'no run in progress';
  if (action === 'stop') return service.stopActive(`stopped from the ${from}`) ? 'run stopped' : 'no run in progress';
  if (action === 'pause' && state.phase !== 'running') return `the run is ${state.phase}, not running`;
  if (action === 'resume' && state.phase !== 'paused') return `the run is ${state.phase}, not paused`;
  const r = await dispatch(service.handlers, action === 'pause' ? 'run.pause' : 'run.resume', { runId: state.runId });
  return r.ok ? (action === 'pause' ? 'run paused' : 'run resumed') : r.error.message;
}

export interface WindowState {
  visible: boolean;
  minimized: boolean;
  focused: boolean;
}

/**
 * How a confirmation request reaches the person when the window is not in front: a native
 * notification (clicking it shows the window) where the OS has them, else the window itself.
 * Showing the window uninvited would cover the app the run works in, so it is the fallback.
 */
export function attentionFor(win: WindowState | undefined, notificationsSupported: boolean): 'none' | 'notify' | 'show' {
  if (win && win.visible && !win.minimized && win.focused) return 'none';
  return notificationsSupported ? 'notify' : 'show';
}

/**
 * One invoke from the renderer. Only the page the main process loaded (the host's origin) may
 * call: anything else that ended up in a webContents (a link, an injected frame) is refused.
 */
export function handleInvoke(service: Pick<DeskService, 'handlers'>, senderUrl: string, trustedOrigin: string, channel: unknown, input: unknown): Promise<IpcResult<unknown>> {
  let origin = '';
  try {
    origin = new URL(senderUrl).origin;
  } catch {
    // not a URL: refused below
  }
  if (origin !== trustedOrigin) {
    return Promise.resolve({ ok: false, error: serializeError(new AppError('UNTRUSTED_SENDER', `IPC refused from ${origin || 'an unknown page'}: only the DeskPilot window may call`)) });
  }
  return dispatch(service.handlers, channel, input);
}

/**
 * The Electron binary when it is installed. The electron package's main throws when its
 * postinstall could not download the binary (as on machines without GitHub access).
 */
export function electronBinary(load: () => unknown): string | undefined {
  try {
    const p = load();
    return typeof p === 'string' && existsSync(p) ? p : undefined;
  } catch {
    return undefined;
  }
}
