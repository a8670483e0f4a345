import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startHost, type Host } from '../../../src/host/server.js';
import type { ServerFrame } from '../../../src/shared/ipc.js';
import type { Store } from '../../../src/shared/ports.js';
import { fakeService } from './fake-service.js';

/** The host as a browser meets it: 127.0.0.1, the token on every request and frame. */
describe('the UI host', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'deskpilot-host-'));
  const service = fakeService();
  let host: Host;

  beforeAll(async () => {
    writeFileSync(path.join(dir, 'index.html'), '<title>DeskPilot UI</title>');
    writeFileSync(path.join(dir, 'shot.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    writeFileSync(path.join(tmpdir(), 'deskpilot-host-secret.txt'), 'secret');
    const store = {
      screenshots: {
        get: (id: string) => (id === 'shot1' ? { id, runId: null, path: 'shot.png', width: 1, height: 1, createdAt: '' } : undefined),
        absolutePath: () => path.join(dir, 'shot.png'),
      },
    } as unknown as Store;
    host = await startHost({ service, rendererDir: dir, store: () => Promise.resolve(store), token: 'T0K3N' });
  });
  afterAll(async () => {
    await host?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (p: string) => fetch(`http://127.0.0.1:${host.port}${p}`);

  it('listens on 127.0.0.1 and gives the URL with the token', () => {
    expect(host.url).toBe(`http://127.0.0.1:${host.port}/?token=T0K3N`);
  });

  it('serves the UI and screenshots with the token, and 401 without it', async () => {
    expect(await (await get('/?token=T0K3N')).text()).toContain('DeskPilot UI');
    const noToken = await get('/');
    expect(noToken.status).toBe(401);
    expect(await noToken.text()).toMatch(/needs the token/);
    expect((await get('/?token=WRONG')).status).toBe(401);
    const shot = await get('/screenshots/shot1?token=T0K3N');
    expect(shot.status).toBe(200);
    expect(shot.headers.get('content-type')).toBe('image/png');
    expect((await get('/screenshots/shot1')).status).toBe(401);
    expect((await get('/screenshots/nope?token=T0K3N')).status).toBe(404);
  });

  it('lets the page load its own assets through the cookie the token request set', async () => {
    const page = await get('/?token=T0K3N');
    const setCookie = page.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(new RegExp(`^deskpilot_token_${host.port}=T0K3N; HttpOnly; SameSite=Strict`));
    const asset = await fetch(`http://127.0.0.1:${host.port}/shot.png`, { headers: { cookie: setCookie.split(';')[0]! } });
    expect(asset.status).toBe(200);
    expect((await get('/shot.png')).status).toBe(401);
    const forged = await fetch(`http://127.0.0.1:${host.port}/shot.png`, { headers: { cookie: `deskpilot_token_${host.port}=guess` } });
    expect(forged.status).toBe(401);
  });

  it('does not serve files outside the renderer folder', async () => {
    const r = await get('/..%2Fdeskpilot-host-secret.txt?token=T0K3N');
    expect(r.status).toBe(404);
  });

  function connect(token: string): Promise<WebSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${host.port}/ipc?token=${token}`);
      ws.once('open', () => resolve(ws));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }
  const next = (ws: WebSocket) => new Promise<ServerFrame>((resolve) => ws.once('message', (d) => resolve(JSON.parse((d as Buffer).toString('utf8')) as ServerFrame)));

  it('refuses a WebSocket without the token', async () => {
    await expect(connect('WRONG')).rejects.toThrow(/401/);
  });

  it('answers invokes over the WebSocket and pushes events', async () => {
    const ws = await connect('T0K3N');
    try {
      const answer = next(ws);
      ws.send(JSON.stringify({ type: 'invoke', id: 7, token: 'T0K3N', channel: 'run.start', input: { text: 'press enter' } }));
      expect(await answer).toEqual({ type: 'result', id: 7, result: { ok: true, value: { runId: 'run-1' } } });
      const bad = next(ws);
      ws.send(JSON.stringify({ type: 'invoke', id: 8, token: 'T0K3N', channel: 'run.start', input: {} }));
      expect(await bad).toMatchObject({ id: 8, result: { ok: false, error: { code: 'IPC_BAD_INPUT' } } });
      const event = next(ws);
      service.emit('engine', { type: 'run_resumed', runId: 'run-1' });
      expect(await event).toEqual({ type: 'event', event: 'engine', payload: { type: 'run_resumed', runId: 'run-1' } });
    } finally {
      ws.close();
    }
  });

  it('closes a connection whose frame carries a wrong token, without running it', async () => {
    const ws = await connect('T0K3N');
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    const answer = next(ws);
    ws.send(JSON.stringify({ type: 'invoke', id: 1, token: 'forged', channel: 'run.start', input: { text: 'click "Delete"' } }));
    expect(await answer).toMatchObject({ id: 1, result: { ok: false, error: { code: 'UNAUTHORIZED' } } });
    expect(await closed).toBe(4401);
    expect(service.started).not.toContain('click "Delete"');
  });
});
