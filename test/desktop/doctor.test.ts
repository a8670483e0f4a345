import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { desktopSupport, startDesktop, type Desktop } from './bed/index.js';

/**
 * `deskpilot doctor`, the real bin, on a real virtual display, against a real HTTP model server:
 * one endpoint that answers like an OpenAI-compatible server, one base URL without /v1.
 */

const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin', 'deskpilot.js');
const support = desktopSupport();

interface Check {
  name: string;
  status: 'ok' | 'fail' | 'skip';
  detail: string;
  hint?: string;
}

function run(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Timings differ from one run to the next; everything else must match. */
const untimed = (s: string): string => s.replace(/\d+ ms/g, 'N ms');

function pointer(desktop: Desktop): string {
  return spawnSync('xdotool', ['getmouselocation', '--shell'], { env: desktop.env, encoding: 'utf8' }).stdout;
}

describe.skipIf(!support.ok)(
  `deskpilot doctor on a virtual display${support.ok ? '' : ` (skipped: ${support.reason})`}`,
  () => {
    let desktop: Desktop;
    let server: Server;
    let work: string;
    let env: NodeJS.ProcessEnv;
    let config: string;

    beforeAll(async () => {
      desktop = await startDesktop({ width: 1024, height: 700 });
      await desktop.xterm('sleep 600', { title: 'doctor-target' });
      server = createServer((req, res) => {
        if (req.url === '/v1/models') {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ object: 'list', data: [{ id: 'tiny-planner', object: 'model' }] }));
        } else {
          res.writeHead(404).end('not found');
        }
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      work = mkdtempSync(path.join(tmpdir(), 'deskpilot-doctor-'));
      config = path.join(work, 'config.yaml');
      writeFileSync(
        config,
        [
          `dataDir: ${path.join(work, 'data')}`,
          'models:',
          '  planner:',
          `    baseURL: ${base}/v1`,
          '    model: tiny-planner',
          '  grounder:',
          `    baseURL: ${base}`,
          '    model: g',
          '',
        ].join('\n'),
      );
      const clean = Object.fromEntries(
        Object.entries(desktop.env).filter(([k]) => !k.startsWith('DESKPILOT_')),
      );
      env = { ...clean, HOME: work };
    });

    afterAll(async () => {
      await new Promise((resolve) => server?.close(resolve));
      await desktop?.stop();
      if (work) rmSync(work, { recursive: true, force: true });
    });

    it('prints every check, and the same content as JSON', { timeout: 90_000 }, async () => {
      const before = pointer(desktop);
      const text = await run(['--config', config, 'doctor'], env);
      expect(text.stderr).toBe('');
      const lines = text.stdout.split('\n');
      const expectLine = (mark: string, name: string, detail: RegExp): void => {
        expect(
          lines.find((l) => l.startsWith(`${mark} ${name}`)),
          `${name} in\n${text.stdout}`,
        ).toMatch(detail);
      };
      expectLine('✓', 'display reachable', new RegExp(`${desktop.display} accepts connections`));
      expectLine('✓', 'capture works', /1024x700 captured in \d+ ms$/);
      expectLine('✓', 'input works', /pointer moved to \(\d+, \d+\) and back/);
      expectLine('✓', 'OCR model found', /PP-OCRv4 .*detector loads/);
      expectLine('✓', 'model endpoint (planner)', /\/v1\/models: 200, model tiny-planner listed/);
      expectLine('✗', 'model endpoint (grounder)', /\/models: 404$/);
      expect(text.stdout).toContain('fix: does the URL end in /v1?');
      expectLine(
        '✓',
        'database OK',
        new RegExp(`${path.join(work, 'data', 'deskpilot.db')} \\(schema v\\d+, 0 runs, quick_check ok\\)`),
      );
      expect(text.code).toBe(1); // the grounder endpoint failed
      expect(pointer(desktop)).toBe(before); // the input check put the pointer back

      const json = await run(['--config', config, 'doctor', '--json'], env);
      expect(json.code).toBe(1);
      const doc = JSON.parse(json.stdout) as { ok: boolean; checks: Check[] };
      expect(doc.ok).toBe(false);
      expect(doc.checks.map((c) => c.name)).toEqual([
        'display reachable',
        'capture works',
        'input works',
        'OCR model found',
        'model endpoint (planner)',
        'model endpoint (grounder)',
        'local VLM folder (vlm-local)',
        'database OK',
      ]);
      const mark = { ok: '✓', fail: '✗', skip: '–' };
      for (const c of doc.checks) {
        const line = lines.find((l) => l.startsWith(`${mark[c.status]} ${c.name}`));
        expect(untimed(line ?? '')).toBe(untimed(`${mark[c.status]} ${c.name.padEnd(26)} ${c.detail}`));
        if (c.hint) expect(text.stdout).toContain(`fix: ${c.hint}`);
      }
    });

    it('exits 0 when every check that ran passed', { timeout: 60_000 }, async () => {
      const ok = path.join(work, 'ok.yaml');
      writeFileSync(ok, `dataDir: ${path.join(work, 'data')}\n`);
      const r = await run(['--config', ok, 'doctor', '--json'], env);
      const doc = JSON.parse(r.stdout) as { ok: boolean; checks: Check[] };
      expect(doc.checks.filter((c) => c.status !== 'ok').map((c) => [c.name, c.status])).toEqual([
        ['model endpoint (planner)', 'skip'],
        ['model endpoint (grounder)', 'skip'],
        ['local VLM folder (vlm-local)', 'skip'],
      ]);
      expect(doc.ok).toBe(true);
      expect(r.code).toBe(0);
    });

    it(
      'fails the display check with a fix, and skips capture and input, when no X server answers',
      { timeout: 60_000 },
      async () => {
        let n = 990;
        while (existsSync(`/tmp/.X11-unix/X${n}`)) n++;
        const ok = path.join(work, 'ok.yaml');
        const r = await run(['--config', ok, '--display', `:${n}`, 'doctor'], env);
        expect(r.code).toBe(1);
        expect(r.stdout).toMatch(
          new RegExp(`✗ display reachable +:${n}: cannot connect to /tmp/.X11-unix/X${n}`),
        );
        expect(r.stdout).toContain('fix: no X server is running on that display');
        expect(r.stdout).toMatch(/– capture works +skipped: "display reachable" failed/);
        expect(r.stdout).toMatch(/– input works +skipped/);
        expect(r.stdout).toMatch(/✓ database OK/);
      },
    );
  },
);
