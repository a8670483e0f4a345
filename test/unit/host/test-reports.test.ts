import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHost, type Host } from '../../../src/host/server.js';
import { reportFile, reportRoute } from '../../../src/host/test-reports.js';
import type { Store } from '../../../src/shared/ports.js';
import { fakeService } from './fake-service.js';

/** Test-run reports are served from the run's own output folder and nowhere else. */
describe('test-run report files', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'deskpilot-reports-'));
  const runs = path.join(root, 'test-runs');
  const run = path.join(runs, 'run-1');
  let host: Host;

  beforeAll(async () => {
    mkdirSync(path.join(run, 'html', 'shots'), { recursive: true });
    writeFileSync(path.join(run, 'html', 'index.html'), '<title>DeskPilot test report</title>');
    writeFileSync(path.join(run, 'html', 'shots', 'a.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    writeFileSync(path.join(runs, 'outside.txt'), 'not part of run-1');
    writeFileSync(path.join(root, 'secret.txt'), 'secret');
    mkdirSync(path.join(runs, 'run-2'));
    symlinkSync(path.join(root, 'secret.txt'), path.join(run, 'link.txt'));
    mkdirSync(path.join(root, 'ui'));
    writeFileSync(path.join(root, 'ui', 'index.html'), '<title>UI</title>');
    host = await startHost({
      service: fakeService(),
      rendererDir: path.join(root, 'ui'),
      store: () => Promise.resolve({} as Store),
      token: 'T0K3N',
      testRunsDir: runs,
    });
  });
  afterAll(async () => {
    await host?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('resolves a file inside the run folder', async () => {
    expect(await reportFile(runs, 'run-1', 'html/index.html')).toBe(path.join(run, 'html', 'index.html'));
    expect(await reportFile(runs, 'run-1', 'html/shots/a.png')).toBe(
      path.join(run, 'html', 'shots', 'a.png'),
    );
  });

  it('refuses .. in any spelling, absolute paths, bad ids, NUL and symlinks that lead out', async () => {
    for (const rest of [
      '../outside.txt',
      'html/../../outside.txt',
      '..%2foutside.txt',
      '%2e%2e/outside.txt',
      '..%5coutside.txt',
      '%2ftmp%2fx',
      '/etc/passwd',
      'html%00.png',
      'link.txt',
      '',
      'missing.html',
      '%E0%A4%A',
    ]) {
      expect(await reportFile(runs, 'run-1', rest), rest).toBeUndefined();
    }
    for (const id of ['..', '.', 'run 1', 'run-1/..', ''])
      expect(await reportFile(runs, id, 'html/index.html'), id).toBeUndefined();
  });

  it('splits the route only for /test-reports/<id>/<rest>', () => {
    expect(reportRoute('/test-reports/run-1/html/index.html')).toEqual({
      runId: 'run-1',
      rest: 'html/index.html',
    });
    expect(reportRoute('/test-reports/run-1')).toBeUndefined();
    expect(reportRoute('/test-reports//x')).toBeUndefined();
    expect(reportRoute('/index.html')).toBeUndefined();
  });

  /** A raw request: fetch and URL would tidy the `..` away before the server sees it. */
  const raw = (p: string, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: host.port, path: p, headers }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });

  it('the host serves a report with the token, refuses it without, and refuses a .. path', async () => {
    const ok = await raw('/test-reports/run-1/html/index.html?token=T0K3N');
    expect(ok.status).toBe(200);
    expect(ok.body).toContain('DeskPilot test report');
    expect((await raw('/test-reports/run-1/html/index.html')).status).toBe(401);
    expect((await raw('/test-reports/run-1/html/index.html?token=guess')).status).toBe(401);
    for (const p of [
      '/test-reports/run-1/..%2foutside.txt',
      '/test-reports/run-1/html/..%2f..%2foutside.txt',
      '/test-reports/run-1/..%2f..%2fsecret.txt',
      '/test-reports/run-1/link.txt',
      '/test-reports/run-2/..%2frun-1%2fhtml%2findex.html%2f..%2f..%2f..%2fouts',
    ]) {
      const res = await raw(`${p}?token=T0K3N`);
      expect(res.status, p).toBe(404);
      expect(res.body).not.toMatch(/secret|not part of run-1/);
    }
    // A plain `..` is resolved by the URL rules first: it leaves /test-reports/ for the UI's own
    // folder, which has no such file (and refuses climbing out of it too).
    expect((await raw('/test-reports/run-1/../../secret.txt?token=T0K3N')).status).toBe(404);
    expect((await raw('/test-reports/run-1/../../../secret.txt?token=T0K3N')).status).toBe(404);
  });
});
