import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { displayCheck, displayEndpoint, parseDisplay } from '../../../src/app/doctor/display.js';
import { endpointCheck } from '../../../src/app/doctor/endpoint.js';
import { frameContent } from '../../../src/app/doctor/desktop.js';
import {
  runDoctor,
  type Check,
  type CheckResult,
  type DoctorContext,
} from '../../../src/app/doctor/index.js';
import { Config } from '../../../src/shared/config.js';
import { nullLogger } from '../../../src/shared/logger.js';
import type { Frame } from '../../../src/shared/ports.js';

function context(config: unknown = {}, over: Partial<DoctorContext> = {}): DoctorContext {
  return {
    config: Config.parse(config),
    dataDir: '/nowhere',
    display: undefined,
    platform: 'linux',
    logger: nullLogger,
    ...over,
  };
}

/** A server that answers /v1/models, /models with 404, and /auth/v1/models with 401 unless keyed. */
let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/auth/v1/models' && req.headers.authorization !== 'Bearer right-key')
      return void res.writeHead(401).end();
    if (req.url === '/v1/models' || req.url === '/auth/v1/models') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ data: [{ id: 'm1' }] }));
    }
    if (req.url === '/slow/v1/models') return; // never answers
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

async function endpoint(baseURL: string, extra: Record<string, unknown> = {}): Promise<CheckResult> {
  const ctx = context({ models: { planner: { baseURL, model: 'm1', ...extra } } });
  const { checks } = await runDoctor(ctx, { checks: [endpointCheck('planner')] });
  return checks[0]!;
}

describe('model endpoint check', () => {
  it('passes against an OpenAI-compatible server and says whether the model is listed', async () => {
    expect(await endpoint(`${base}/v1`)).toMatchObject({
      status: 'ok',
      detail: `GET ${base}/v1/models: 200, model m1 listed`,
    });
  });

  it('asks whether the URL ends in /v1 on a 404', async () => {
    expect(await endpoint(base)).toMatchObject({
      status: 'fail',
      hint: expect.stringContaining('does the URL end in /v1?') as string,
    });
  });

  it('asks for an API key on a 401, and sends the configured one', async () => {
    expect(await endpoint(`${base}/auth/v1`)).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('401') as string,
      hint: expect.stringContaining('API key') as string,
    });
    expect(await endpoint(`${base}/auth/v1`, { apiKey: 'right-key' })).toMatchObject({ status: 'ok' });
  });

  it('explains a refused connection', async () => {
    const closed = createNetServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    expect(await endpoint(`http://127.0.0.1:${port}/v1`)).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('ECONNREFUSED') as string,
      hint: expect.stringContaining('connection refused') as string,
    });
  });

  it('gives up after 3 s on a server that never answers', async () => {
    expect(await endpoint(`${base}/slow/v1`)).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('no answer within 3 s') as string,
    });
  });

  it('is skipped when no model is configured', async () => {
    const { ok, checks } = await runDoctor(context(), { checks: [endpointCheck('grounder')] });
    expect(ok).toBe(true);
    expect(checks[0]).toMatchObject({ status: 'skip' });
  });
});

describe('display check', () => {
  it('parses display names into the X socket or TCP port', () => {
    expect(parseDisplay(':57')).toEqual({ host: '', number: 57 });
    expect(parseDisplay('localhost:10.0')).toEqual({ host: 'localhost', number: 10 });
    expect(parseDisplay('wayland-0')).toBeUndefined();
    expect(displayEndpoint(':3.0')).toEqual({ path: '/tmp/.X11-unix/X3' });
    expect(displayEndpoint('host:2')).toEqual({ host: 'host', port: 6002 });
  });

  it('fails with a fix when DISPLAY is not set, and dependent checks are skipped', async () => {
    let ran = false;
    const dependent: Check = {
      name: 'capture works',
      needs: ['display reachable'],
      timeoutMs: 1000,
      run: () => ((ran = true), Promise.resolve({ status: 'ok', detail: '' })),
    };
    const { ok, checks } = await runDoctor(context(), { checks: [displayCheck, dependent] });
    expect(ok).toBe(false);
    expect(checks[0]).toMatchObject({
      status: 'fail',
      detail: 'DISPLAY is not set',
      hint: expect.stringContaining('--display') as string,
    });
    expect(checks[1]).toMatchObject({ status: 'skip' });
    expect(ran).toBe(false);
  });
});

describe('runDoctor', () => {
  it('turns a crashing or hanging check into a failed one and keeps going', async () => {
    const crash: Check = {
      name: 'crash',
      timeoutMs: 1000,
      run: () => Promise.reject(new Error('native module exploded')),
    };
    const hang: Check = { name: 'hang', timeoutMs: 50, run: () => new Promise(() => undefined) };
    const fine: Check = {
      name: 'fine',
      timeoutMs: 1000,
      run: () => Promise.resolve({ status: 'ok', detail: 'yes' }),
    };
    const seen: string[] = [];
    const { ok, checks } = await runDoctor(context(), {
      checks: [crash, hang, fine],
      onResult: (r) => seen.push(r.name),
    });
    expect(ok).toBe(false);
    expect(checks.map((c) => [c.name, c.status])).toEqual([
      ['crash', 'fail'],
      ['hang', 'fail'],
      ['fine', 'ok'],
    ]);
    expect(checks[0]?.detail).toBe('native module exploded');
    expect(checks[1]?.detail).toContain('no result within');
    expect(seen).toEqual(['crash', 'hang', 'fine']);
  });
});

describe('frameContent', () => {
  const frame = (bytes: number[]): Frame => ({
    displayId: '0',
    width: 2,
    height: 1,
    data: Uint8Array.from(bytes),
    desktopBounds: { x: 0, y: 0, width: 2, height: 1 },
    scaleFactor: 1,
    capturedAt: 0,
  });
  it('tells an empty grab from a black screen from real content', () => {
    expect(frameContent(frame([0, 0, 0, 0, 0, 0, 0, 0]))).toBe('empty');
    expect(frameContent(frame([0, 0, 0, 255, 0, 0, 0, 255]))).toBe('black');
    expect(frameContent(frame([0, 0, 0, 255, 0, 9, 0, 255]))).toBe('content');
  });
});
