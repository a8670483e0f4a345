import { createConnection } from 'node:net';
import { createRequire } from 'node:module';
import { ActionError } from '../shared/errors.js';

/**
 * libnut opens the X display on first use and crashes the whole process (segfault) when there is
 * no X server, so the display is probed with a plain socket connection first.
 */
export async function probeX11Display(display: string, timeoutMs = 1000): Promise<void> {
  const { where, at } = displaySocket(display);
  await new Promise<void>((resolve, reject) => {
    const socket = createConnection(where);
    const timer = setTimeout(() => socket.destroy(new Error('timed out')), timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve();
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(new ActionError(`no X server answers on display "${display}" (${at}: ${err.message}); start one or pass another display`, { cause: err }));
    });
  });
}

/** Where the X server of `display` (":N", "unix:N", "host:N") listens, and that place in words. */
export function displaySocket(display: string): {
  where: { path: string } | { host: string; port: number };
  at: string;
  local: boolean;
  number: string;
} {
  const m = /^([^:]*):(\d+)(?:\.\d+)?$/.exec(display);
  if (!m) throw new ActionError(`"${display}" is not an X display name (expected something like ":0" or "host:1")`);
  const host = m[1] ?? '';
  const number = m[2]!;
  const local = host === '' || host === 'unix';
  if (local) {
    const socket = `/tmp/.X11-unix/X${number}`;
    return { where: { path: socket }, at: socket, local, number };
  }
  const port = 6000 + Number(number);
  return { where: { host, port }, at: `${host}:${port}`, local, number };
}

/** Points libnut (nut-js's native part, one per process) at a display before its first use. */
export function pointLibnutAt(display: string): void {
  const require = createRequire(import.meta.url);
  // libnut-linux is nut-js's own native binding; reached through nut-js's resolution path.
  const fromNut = createRequire(require.resolve('@nut-tree-fork/nut-js'));
  const fromLibnut = createRequire(fromNut.resolve('@nut-tree-fork/libnut'));
  const native = fromLibnut('@nut-tree-fork/libnut-linux') as { setXDisplayName(name: string): void };
  native.setXDisplayName(display);
}
