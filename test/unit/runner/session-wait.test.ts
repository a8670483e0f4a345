import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TaskSession } from '../../../src/runner/tasks/session.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function session(reads: string[], changes: { count: number }): TaskSession {
  const workDir = mkdtempSync(path.join(tmpdir(), 'deskpilot-session-'));
  dirs.push(workDir);
  let i = 0;
  return new TaskSession({
    env: {},
    workDir,
    taskDir: workDir,
    screen: { width: 800, height: 600 },
    screenText: () => Promise.resolve(reads[Math.min(i++, reads.length - 1)]!),
    screenChange: () => (changes.count++, Promise.resolve()),
    log: () => undefined,
    sweepWindows: false,
  });
}

describe('a setup wait for text', () => {
  it('reads again once the screen changed, not after a fixed pause', async () => {
    const changes = { count: 0 };
    const s = session(['Loading', 'Loading', 'ready> _'], changes);
    await s.setup([{ wait_for: { text: 'ready>' } }]);
    expect(changes.count).toBe(2);
  });

  it('gives up at its timeout with what it read', async () => {
    const changes = { count: 0 };
    const s = session(['Loading'], changes);
    await expect(s.setup([{ wait_for: { text: 'ready>', timeout: 0.05 } }])).rejects.toThrow(
      /"ready>" did not appear on screen within 0.05s \(read: "Loading"\)/,
    );
    expect(changes.count).toBeGreaterThan(0);
  });
});
