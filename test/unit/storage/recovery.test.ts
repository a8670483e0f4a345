import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { Step } from '../../../src/shared/steps.js';
import { DATABASE_FILE, openStore } from '../../../src/storage/index.js';
import { processToken } from '../../../src/storage/liveness.js';
import { tempDirs } from './helpers.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const writer = join(repoRoot, 'test/fixtures/storage/crash-writer.ts');
const dirs = tempDirs();
afterEach(() => dirs.cleanup());

/** Runs the writer until it has committed at least `atLeast` steps, then SIGKILLs it. */
async function killWriterMidRun(
  dataDir: string,
  atLeast: number,
): Promise<{ runId: string; reported: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', writer, dataDir], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.on('exit', (_code, signal) => resolve(signal)),
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  let runId = '';
  let reported = 0;
  let ready = false;
  try {
    await new Promise<void>((resolve, reject) => {
      let buffered = '';
      child.stdout.on('data', (d: Buffer) => {
        buffered += d.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) {
          if (line.startsWith('run ')) runId = line.slice(4);
          else if (line === 'ready') ready = true;
          else if (line.startsWith('wrote ')) reported = Number(line.slice(6));
        }
        if (ready && reported >= atLeast) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      void exited.then(() => reject(new Error(`writer exited before it was killed: ${stderr}`)));
    });
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  expect(await exited).toBe('SIGKILL');
  return { runId, reported };
}

describe('crash recovery', () => {
  it('marks the run of a SIGKILLed writer interrupted and keeps every step it committed', async () => {
    const dataDir = dirs.make();
    const { runId, reported } = await killWriterMidRun(dataDir, 25);
    expect(runId).not.toBe('');

    const store = openStore({ dataDir });
    const run = store.runs.get(runId);
    expect(run?.status).toBe('interrupted');
    expect(run?.endedAt).not.toBeNull();
    expect(run?.meta).toEqual({ writer: 'crash-writer' });
    const steps = store.steps.listForRun(runId);
    expect(steps.length).toBeGreaterThanOrEqual(reported);
    expect(steps.map((s) => s.index)).toEqual(steps.map((_, i) => i));
    for (const s of steps) expect(Step.safeParse(s.step).success).toBe(true);
    expect(steps.filter((s) => s.outcome === 'succeeded').length).toBeGreaterThan(0);
    store.close();
  }, 60_000);

  it('leaves a run alone while the process that owns it is alive', () => {
    const dataDir = dirs.make();
    const owner = openStore({ dataDir });
    const run = owner.runs.create({ source: 'chat', title: 'still going' });
    const other = openStore({ dataDir });
    expect(other.runs.get(run.id)?.status).toBe('running');
    other.close();
    owner.close();
  });

  it('interrupts a paused run whose process has exited', () => {
    const dataDir = dirs.make();
    const gone = spawnSync('true').pid;
    expect(gone).toBeGreaterThan(0);
    const store = openStore({ dataDir, pid: gone });
    const run = store.runs.create({ source: 'macro', title: 'paused for a person' });
    store.runs.finish(run.id, 'paused');
    store.close();
    const reopened = openStore({ dataDir });
    expect(reopened.runs.get(run.id)?.status).toBe('interrupted');
    reopened.close();
  });

  const tokens = processToken(process.pid) !== null;
  it.skipIf(!tokens)(
    `interrupts a run whose pid is alive but belongs to another boot or another process${tokens ? '' : ' (skipped: no /proc boot id and start time here to tell processes apart)'}`,
    () => {
      const dataDir = dirs.make();
      const store = openStore({ dataDir });
      const earlierBoot = store.runs.create({ source: 'task', title: 'before the reboot' });
      const reusedPid = store.runs.create({ source: 'task', title: 'pid taken over' });
      store.close();
      const token = processToken(process.pid) ?? '';
      const [boot, start] = token.split('/');
      const raw = new Database(join(dataDir, DATABASE_FILE));
      raw.prepare('UPDATE runs SET owner = ? WHERE id = ?').run(`another-boot/${start}`, earlierBoot.id);
      raw.prepare('UPDATE runs SET owner = ? WHERE id = ?').run(`${boot}/1`, reusedPid.id);
      raw.close();
      const reopened = openStore({ dataDir });
      expect(reopened.runs.get(earlierBoot.id)?.status).toBe('interrupted');
      expect(reopened.runs.get(reusedPid.id)?.status).toBe('interrupted');
      reopened.close();
    },
  );
});
