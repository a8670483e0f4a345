import net from 'node:net';
import type { Check } from './types.js';

/** `[host]:N[.S]` as in $DISPLAY; undefined when it is not an X display name. */
export function parseDisplay(display: string): { host: string; number: number } | undefined {
  const m = /^([^:]*):(\d+)(?:\.\d+)?$/.exec(display.trim());
  if (!m?.[2]) return undefined;
  return { host: m[1] ?? '', number: Number(m[2]) };
}

/** Where an X client connects: the local socket for ":N", TCP port 6000+N for "host:N". */
export function displayEndpoint(display: string): net.NetConnectOpts | undefined {
  const d = parseDisplay(display);
  if (!d) return undefined;
  if (d.host === '' || d.host === 'unix') return { path: `/tmp/.X11-unix/X${d.number}` };
  return { host: d.host, port: 6000 + d.number };
}

function connect(opts: net.NetConnectOpts, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(opts);
    const done = (err?: Error): void => {
      socket.destroy();
      signal.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve();
    };
    const onAbort = (): void => done(new Error('timed out'));
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => done());
    socket.once('error', (err) => done(err));
  });
}

export const displayCheck: Check = {
  name: 'display reachable',
  timeoutMs: 3_000,
  async run(ctx, signal) {
    if (ctx.platform === 'darwin' || ctx.platform === 'win32') {
      return { status: 'skip', detail: 'no X display on this platform; the screen is captured natively' };
    }
    const display = ctx.display;
    if (!display) {
      return {
        status: 'fail',
        detail: 'DISPLAY is not set',
        hint: 'run inside a desktop session, or start one (Xvfb :99 &) and pass --display :99',
      };
    }
    const endpoint = displayEndpoint(display);
    if (!endpoint) {
      return {
        status: 'fail',
        detail: `"${display}" is not an X display name`,
        hint: 'use the form :N, e.g. --display :0',
      };
    }
    const where = 'path' in endpoint ? String(endpoint.path) : `${endpoint.host ?? ''}:${endpoint.port}`;
    try {
      await connect(endpoint, signal);
      return { status: 'ok', detail: `${display} accepts connections at ${where}` };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      return {
        status: 'fail',
        detail: `${display}: cannot connect to ${where} (${code})`,
        hint: 'no X server is running on that display: start one (Xvfb :99 &) or point --display at a running one',
      };
    }
  },
};
