import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { AppError, serializeError } from '../shared/errors.js';
import type { ClientFrame, ServerFrame } from '../shared/ipc.js';
import type { Logger } from '../shared/logger.js';
import { nullLogger } from '../shared/logger.js';
import type { Store } from '../shared/ports.js';
import { dispatch } from './dispatch.js';
import type { DeskService } from './service.js';
import { serveFile } from './static.js';
import { reportFile, reportRoute } from './test-reports.js';

export interface HostOptions {
  service: DeskService;
  /** The built renderer (index.html and assets). */
  rendererDir: string;
  store: () => Promise<Store>;
  /** Output folders of the app's test runs: their reports are served under /test-reports/<id>/. */
  testRunsDir?: string;
  /** 0 or absent: a free port. */
  port?: number;
  /** Tests pass their own; otherwise a fresh random one per launch. */
  token?: string;
  logger?: Logger;
}

export interface Host {
  /** The URL a person opens, token included. */
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/**
 * The UI over HTTP + WebSocket, on 127.0.0.1 only. A random per-launch token guards it: any page
 * in any browser on this machine can reach 127.0.0.1, and without the token it must not be able
 * to start runs that move the mouse. Every HTTP request and every WebSocket frame carries it.
 */
export async function startHost(options: HostOptions): Promise<Host> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const log = options.logger ?? nullLogger;
  const tokenOk = (t: unknown) => typeof t === 'string' && t.length === token.length && timingSafeEqual(Buffer.from(t), Buffer.from(token));

  let cookieName = 'deskpilot_token';
  const server = createServer((req, res) => {
    handleHttp(req, res).catch((err: unknown) => {
      log.error({ err: serializeError(err), url: req.url?.replace(/token=[^&]*/, 'token=…') }, 'host request failed');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('internal error');
    });
  });

  async function handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const given = url.searchParams.get('token');
    // The page's own assets (scripts, styles) cannot carry the query: the page request leaves
    // the token in a strict same-site cookie, scoped by port since cookies ignore ports.
    if (tokenOk(given)) res.setHeader('set-cookie', `${cookieName}=${token}; HttpOnly; SameSite=Strict; Path=/`);
    else if (!tokenOk(cookie(req, cookieName))) {
      res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('DeskPilot: this address needs the token printed by `deskpilot ui` (…?token=…).');
      return;
    }
    const shot = /^\/screenshots\/([\w-]+)$/.exec(url.pathname);
    if (shot) {
      const store = await options.store();
      const record = store.screenshots.get(shot[1]!);
      if (!record) return notFound(res, `no screenshot ${shot[1]}`);
      return serveFile(res, store.screenshots.absolutePath(record), { cache: true });
    }
    const report = options.testRunsDir ? reportRoute(url.pathname) : undefined;
    if (report) {
      // Only files inside that run's own output folder; `..`, absolute paths and symlinks out are refused.
      const file = await reportFile(options.testRunsDir!, report.runId, report.rest);
      return file ? serveFile(res, file) : notFound(res, 'no such report file');
    }
    const rel = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname.slice(1));
    return serveFile(res, rel, { root: options.rendererDir, cache: rel !== 'index.html' });
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/ipc' || !tokenOk(url.searchParams.get('token'))) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nconnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => connect(ws));
  });

  function connect(ws: WebSocket): void {
    const send = (frame: ServerFrame) => ws.readyState === ws.OPEN && ws.send(JSON.stringify(frame));
    const off = options.service.subscribe((event, payload) => send({ type: 'event', event, payload } as ServerFrame));
    // A UI that connects (or reloads) while a card is waiting still shows it.
    for (const request of options.service.openConfirmations()) send({ type: 'event', event: 'confirm.request', payload: request });
    ws.on('close', off);
    ws.on('message', (data) => {
      let frame: Partial<ClientFrame>;
      try {
        frame = JSON.parse(frameText(data)) as Partial<ClientFrame>;
      } catch {
        return ws.close(1003, 'frames are JSON');
      }
      const id = typeof frame.id === 'number' ? frame.id : -1;
      if (!tokenOk(frame.token)) {
        send({ type: 'result', id, result: { ok: false, error: serializeError(new AppError('UNAUTHORIZED', 'wrong or missing token')) } });
        return ws.close(4401, 'unauthorized');
      }
      void dispatch(options.service.handlers, frame.channel, frame.input).then((result) => send({ type: 'result', id, result }));
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new AppError('HOST_LISTEN', `cannot listen on 127.0.0.1:${options.port ?? 0} (${err.code ?? err.message})`, { cause: err })),
    );
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const port = (server.address() as AddressInfo).port;
  cookieName = `deskpilot_token_${port}`;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of wss.clients) ws.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function frameText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data as ArrayBuffer).toString('utf8');
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

function notFound(res: ServerResponse, what: string): void {
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(what);
}
