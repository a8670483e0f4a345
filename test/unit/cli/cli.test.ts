import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../../src/storage/index.js';

/** These tests run the real `deskpilot` bin in a child process, as a person would. */
const ROOT = path.resolve(import.meta.dirname, '../../..');
const BIN = path.join(ROOT, 'bin', 'deskpilot.js');
let home: string;

beforeAll(() => {
  home = mkdtempSync(path.join(tmpdir(), 'deskpilot-cli-'));
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function deskpilot(args: string[], env: Record<string, string> = {}): Result {
  // A private HOME and no DESKPILOT_* from the caller, so no user config leaks in.
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('DESKPILOT_') && !k.startsWith('XDG_')),
  );
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { ...clean, HOME: home, ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tempDir(name: string): string {
  return mkdtempSync(path.join(home, `${name}-`));
}

describe('deskpilot basics', () => {
  it('prints its version from package.json', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const r = deskpilot(['--version']);
    expect(r).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });
  });

  it('prints help with the commands and global options', () => {
    const r = deskpilot(['--help']);
    expect(r.code).toBe(0);
    for (const s of [
      'Usage: deskpilot',
      'doctor',
      'runs',
      '--config <file>',
      '--data-dir <dir>',
      '--log-level <level>',
      '--display <:N>',
      '--json',
      'DESKPILOT_DATA_DIR',
    ]) {
      expect(r.stdout).toContain(s);
    }
    expect(deskpilot(['runs', 'list', '--help']).stdout).toContain('--status <status>');
  });

  it("rejects an unknown flag with commander's message and exit code 2", () => {
    const r = deskpilot(['runs', 'list', '--bogus']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error: unknown option '--bogus'");
    expect(r.stdout).toBe('');
    const json = deskpilot(['--json', 'doctor', '--frobnicate']);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toEqual({
      ok: false,
      error: { name: 'UsageError', code: 'USAGE', message: "unknown option '--frobnicate'" },
    });
  });

  it('rejects a bad option value as a usage error', () => {
    const r = deskpilot(['runs', 'list', '--limit', 'lots', '--data-dir', tempDir('limit')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("option '--limit <n>' argument 'lots' is invalid");
  });

  it('reports a malformed config file with file:line:col and the key, exit 1', () => {
    const cfg = path.join(tempDir('cfg'), 'config.yaml');
    writeFileSync(cfg, 'logLevel: warn\nengine:\n  maxSteps: -3\n');
    const r = deskpilot(['--config', cfg, 'runs', 'list']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^deskpilot: ${cfg}:3:13: engine\\.maxSteps: `));
    expect(r.stderr).not.toContain('    at '); // no stack unless --log-level debug
    const debug = deskpilot(['--config', cfg, '--log-level', 'debug', 'runs', 'list']);
    expect(debug.stderr).toContain('    at ');
  });
});

describe('deskpilot runs', () => {
  let dataDir: string;
  let done: string;
  let failed: string;

  beforeAll(() => {
    dataDir = tempDir('runs');
    const store = openStore({ dataDir });
    try {
      const a = store.runs.create({ source: 'command', title: 'save the report' });
      const [click, type] = store.steps.addMany([
        {
          runId: a.id,
          index: 0,
          step: { kind: 'click', target: { text: 'Save' }, button: 'left', count: 1 },
        },
        { runId: a.id, index: 1, step: { kind: 'type', text: 'report.txt' } },
      ]);
      store.steps.update(click!.id, {
        outcome: 'succeeded',
        resolution: { point: { x: 10, y: 20 }, confidence: 0.93, source: 'text' },
      });
      store.steps.update(type!.id, { outcome: 'succeeded' });
      store.runs.finish(a.id, 'succeeded');
      const b = store.runs.create({ source: 'chat', title: 'open the mail' });
      store.runs.finish(b.id, 'failed', {
        name: 'GroundingError',
        code: 'GROUNDING_NOT_FOUND',
        message: 'no "Inbox" on screen',
      });
      done = a.id;
      failed = b.id;
    } finally {
      store.close();
    }
  });

  it('lists runs as JSON records, filtered by status and limited', () => {
    const all = deskpilot(['runs', 'list', '--json', '--data-dir', dataDir]);
    expect(all.code).toBe(0);
    const doc = JSON.parse(all.stdout) as {
      ok: boolean;
      runs: Array<{ id: string; status: string; title: string }>;
    };
    expect(doc.ok).toBe(true);
    expect(doc.runs.map((r) => r.id).sort()).toEqual([done, failed].sort());
    const onlyFailed = JSON.parse(
      deskpilot(['runs', 'list', '--json', '--status', 'failed', '--data-dir', dataDir]).stdout,
    ) as typeof doc;
    expect(onlyFailed.runs).toEqual([
      expect.objectContaining({ id: failed, title: 'open the mail', status: 'failed' }),
    ]);
    expect(
      (
        JSON.parse(
          deskpilot(['runs', 'list', '--json', '--limit', '1', '--data-dir', dataDir]).stdout,
        ) as typeof doc
      ).runs,
    ).toHaveLength(1);
  });

  it('lists runs as text, one line each', () => {
    const r = deskpilot(['runs', 'list'], { DESKPILOT_DATA_DIR: dataDir });
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines.find((l) => l.startsWith(done))).toMatch(/succeeded\s+command .* save the report$/);
  });

  it('says so when there are no runs, and keeps stdout pure JSON even with debug logs', () => {
    const empty = tempDir('empty');
    expect(deskpilot(['runs', 'list', '--data-dir', empty]).stdout).toContain(
      `no runs in ${path.join(empty, 'deskpilot.db')}`,
    );
    const r = deskpilot(['runs', 'list', '--json', '--log-level', 'debug', '--data-dir', empty]);
    expect(JSON.parse(r.stdout)).toEqual({ ok: true, runs: [] });
    expect(r.stderr).toContain('"level":"debug"');
  });

  it('shows a run with one line per step', () => {
    const r = deskpilot(['runs', 'show', done, '--data-dir', dataDir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`run ${done}  succeeded  (command) "save the report"`);
    expect(r.stdout).toMatch(/^\s+0 {2}click "Save" {2}succeeded {2}text 0\.93 {2}/m);
    expect(r.stdout).toMatch(/^\s+1 {2}type "report\.txt" {2}succeeded {2}- {2}/m);
    const f = deskpilot(['runs', 'show', failed, '--data-dir', dataDir]);
    expect(f.stdout).toContain('error: GroundingError: no "Inbox" on screen');
  });

  it('shows a run as JSON records', () => {
    const doc = JSON.parse(deskpilot(['--json', 'runs', 'show', done, '--data-dir', dataDir]).stdout) as {
      ok: boolean;
      run: { id: string };
      steps: Array<{ index: number; step: { kind: string }; resolution: { source: string } | null }>;
    };
    expect(doc.ok).toBe(true);
    expect(doc.run.id).toBe(done);
    expect(doc.steps.map((s) => [s.index, s.step.kind, s.resolution?.source ?? null])).toEqual([
      [0, 'click', 'text'],
      [1, 'type', null],
    ]);
  });

  it('refuses a missing run id with a clear message and exit 1', () => {
    const r = deskpilot(['runs', 'show', 'no-such-run', '--data-dir', dataDir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `deskpilot: no run with id "no-such-run" in ${path.join(dataDir, 'deskpilot.db')} ("deskpilot runs list" shows the ids)\n`,
    );
    const json = deskpilot(['runs', 'show', 'no-such-run', '--json', '--data-dir', dataDir]);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({
      ok: false,
      error: { name: 'StorageError', code: 'STORAGE_NOT_FOUND' },
    });
  });
});

describe('deskpilot storage errors', () => {
  it('names an unwritable data dir', () => {
    const blocker = path.join(tempDir('blocked'), 'a-file');
    writeFileSync(blocker, 'not a directory');
    const dataDir = path.join(blocker, 'data');
    const r = deskpilot(['runs', 'list', '--data-dir', dataDir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^deskpilot: /);
    expect(r.stderr).toContain(dataDir);
    const json = deskpilot(['runs', 'list', '--json', '--data-dir', dataDir]);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error: { code: 'STORAGE_UNWRITABLE' } });
  });

  it('refuses a corrupt database file and leaves it byte-identical', () => {
    const dataDir = tempDir('corrupt');
    const db = path.join(dataDir, 'deskpilot.db');
    const garbage = Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 7919) % 251));
    writeFileSync(db, garbage);
    const r = deskpilot(['runs', 'list', '--data-dir', dataDir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(db);
    expect(r.stderr).toMatch(/damaged|corrupt|not a DeskPilot database/i);
    expect(readFileSync(db).equals(garbage)).toBe(true);
    expect(existsSync(`${db}-wal`)).toBe(false);
  });

  it('refuses a database whose pages were damaged, leaving the file as it was', () => {
    const dataDir = tempDir('damaged');
    const store = openStore({ dataDir });
    const run = store.runs.create({ source: 'task', title: 'x'.repeat(3000) });
    store.runs.finish(run.id, 'succeeded');
    store.close();
    const db = path.join(dataDir, 'deskpilot.db');
    const bytes = readFileSync(db);
    // Scribble over everything after the first page: the header survives, the b-trees do not.
    for (let i = 4096; i < bytes.length; i++) bytes[i] = (i * 31) % 256;
    writeFileSync(db, bytes);
    const r = deskpilot(['runs', 'list', '--json', '--data-dir', dataDir]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, error: { code: 'STORAGE_CORRUPT' } });
    expect(readFileSync(db).equals(bytes)).toBe(true);
  });
});
