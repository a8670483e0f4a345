import { X11Connection, X11RequestError, MAP_STATE } from './x11-client.js';
import { runProgram } from './run-program.js';

/**
 * Windows of an X display as xdotool reports them (getactivewindow, getwindowname,
 * getwindowpid, search --onlyvisible), read in-process over one connection per display.
 */

export interface WindowInfo {
  id: number;
  /** _NET_WM_NAME, else WM_NAME; '' when the window has neither. */
  title: string;
  /** _NET_WM_PID, when the window names its process. */
  pid?: number;
}

const STRING = 31; // the predefined atom of Latin-1 text

const connections = new Map<string, Promise<X11Connection>>();

/** The open connection to `display` (one per display and process), reopened after the server went away. */
export async function x11(display: string): Promise<X11Connection> {
  const open = connections.get(display);
  if (open) {
    const c = await open.catch(() => undefined);
    if (c && !c.closed) return c;
    if (connections.get(display) === open) connections.delete(display);
  }
  let fresh = connections.get(display);
  if (!fresh) {
    fresh = X11Connection.open(display);
    connections.set(display, fresh);
    // A failed connect is not kept: the next call tries again (the server may be starting).
    fresh.catch(() => {
      if (connections.get(display) === fresh) connections.delete(display);
    });
  }
  return fresh;
}

/** Closes this process's connection to `display`, if any (a display that is being stopped). */
export function closeX11(display: string): void {
  const open = connections.get(display);
  connections.delete(display);
  void open?.then((c) => c.close(), () => undefined);
}

/** A window that went away between two requests reads as having nothing (BadWindow). */
function gone<T>(fallback: T): (err: unknown) => T {
  return (err) => {
    if (err instanceof X11RequestError && err.code === 3) return fallback;
    throw err;
  };
}

async function windowTitle(c: X11Connection, window: number): Promise<string> {
  for (const name of ['_NET_WM_NAME', 'WM_NAME']) {
    const p = await c.property(window, name).catch(gone(undefined));
    if (p && p.format === 8 && p.data.length > 0) return p.data.toString(p.type === STRING ? 'latin1' : 'utf8');
  }
  return '';
}

async function windowPid(c: X11Connection, window: number): Promise<number | undefined> {
  const p = await c.property(window, '_NET_WM_PID').catch(gone(undefined));
  return p && p.format === 32 && p.data.length >= 4 ? p.data.readUInt32LE(0) : undefined;
}

async function info(c: X11Connection, id: number): Promise<WindowInfo> {
  const [title, pid] = await Promise.all([windowTitle(c, id), windowPid(c, id)]);
  return { id, title, ...(pid !== undefined ? { pid } : {}) };
}

/** The focused window as the window manager names it (_NET_ACTIVE_WINDOW); undefined when none is. */
export async function activeWindow(c: X11Connection): Promise<WindowInfo | undefined> {
  const p = await c.property(c.root, '_NET_ACTIVE_WINDOW');
  const id = p && p.format === 32 && p.data.length >= 4 ? p.data.readUInt32LE(0) : 0;
  if (id === 0) return undefined;
  return info(c, id);
}

/**
 * Every viewable window under the root, at any depth (the window manager's frames and the
 * apps' windows inside them), level by level. The requests of each level go out together, so a
 * desktop of a few dozen windows costs a few round trips, not one per window.
 */
export async function visibleWindows(c: X11Connection): Promise<WindowInfo[]> {
  const out: WindowInfo[] = [];
  let level = [c.root];
  while (level.length) {
    const kids = (await Promise.all(level.map((w) => c.children(w).catch(gone([] as number[]))))).flat();
    const states = await Promise.all(kids.map((w) => c.mapState(w).catch(gone(MAP_STATE.unmapped))));
    // An unviewable window's descendants are not viewable either.
    level = kids.filter((_, i) => states[i] === MAP_STATE.viewable);
    out.push(...(await Promise.all(level.map((w) => info(c, w)))));
  }
  return out;
}

/**
 * Runs `read` over the connection to `display`. A connection that broke (the server was
 * restarted under the same name) is reopened and `read` tried once more.
 */
export async function onDisplay<T>(display: string, read: (c: X11Connection) => Promise<T>): Promise<T> {
  const c = await x11(display);
  try {
    return await read(c);
  } catch (err) {
    if (err instanceof X11RequestError || !c.closed) throw err;
    return read(await x11(display));
  }
}

/** Whether the pointer lies in the window that has the keyboard focus; undefined when no window has it. */
export async function pointerInFocus(c: X11Connection): Promise<boolean | undefined> {
  const [pointer, focus] = await Promise.all([c.pointer(), c.inputFocus()]);
  if (focus <= 1) return undefined; // None or PointerRoot
  const box = await c.rootBox(focus).catch(gone(undefined));
  if (!box) return undefined;
  return pointer.x >= box.x && pointer.x < box.x + box.width && pointer.y >= box.y && pointer.y < box.y + box.height;
}

/**
 * The window under the pointer: the first window with a title on the way down from the root
 * (the window manager's frame has none; the app's window inside it has). Undefined over the
 * bare desktop, a frame's decorations, or an untitled popup.
 */
export async function windowAtPointer(c: X11Connection): Promise<WindowInfo | undefined> {
  let w = c.root;
  for (let depth = 0; depth < 8; depth++) {
    w = await c.pointerChild(w).catch(gone(0));
    if (w === 0) return undefined;
    if (await windowTitle(c, w)) return info(c, w);
  }
  return undefined;
}

/**
 * The focused window of `env.DISPLAY`, read in-process; through xdotool where this process cannot
 * connect itself (an authorisation other than MIT-MAGIC-COOKIE-1). Undefined when no window is
 * focused, or neither way can tell.
 */
export async function focusedWindow(env: NodeJS.ProcessEnv): Promise<Omit<WindowInfo, 'id'> | undefined> {
  const display = env['DISPLAY'];
  if (display) {
    try {
      const win = await onDisplay(display, activeWindow);
      return win && { title: win.title, ...(win.pid !== undefined ? { pid: win.pid } : {}) };
    } catch (err) {
      // The window went away while it was read: none is focused. Otherwise no connection of our own.
      if (err instanceof X11RequestError) return undefined;
    }
  }
  // One chained xdotool call. A window without _NET_WM_PID fails the last command after the title was printed.
  const out = await runProgram('xdotool', ['getactivewindow', 'getwindowname', 'getwindowpid'], { env, timeoutMs: 1000 }).then(
    (r) => r.stdout.toString('utf8'),
    () => '',
  );
  const [title, pid] = out.split('\n').map((l) => l.trim());
  if (title === undefined || (title === '' && !pid)) return undefined;
  return { title, ...(pid && /^\d+$/.test(pid) ? { pid: Number(pid) } : {}) };
}
