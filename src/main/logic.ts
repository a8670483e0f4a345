import { existsSync } from 'node:fs';
import { serializeError, AppError } from '../shared/errors.js';
import type { IpcResult } from '../shared/ipc.js';
import { dispatch } from '../host/dispatch.js';
import type { DeskService } from '../host/service.js';

/**
 * The main process's decisions, as plain functions: unit-tested without the Electron binary
 * (test/unit/host/main-logic.test.ts); src/main/index.ts only wires them to Electron's APIs.
 */

export const STOP_HOTKEY = 'Control+Alt+Escape';
export const INVOKE_CHANNEL = 'deskpilot:invoke';
export const EVENT_CHANNEL = 'deskpilot:event';

/** What the global hotkey does: stop the run in progress, if any; says what happened. */
export function onStopHotkey(service: Pick<DeskService, 'stopActive'>): string {
  return service.stopActive(`stopped by the hotkey ${STOP_HOTKEY}`) ? 'run stopped' : 'no run in progress';
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
