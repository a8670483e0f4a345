import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { desktopSupport, startDesktop, type Desktop } from './bed/index.js';

/**
 * Keyboard takeover with the real global hook (uiohook-napi) on a real X display: the hook sees
 * the agent's own XTest keys too, and must not mistake them for the person's. The hook runs in
 * a child process (test/fixtures/takeover/keyboard-probe.ts explains why).
 */
const support = desktopSupport();

describe.skipIf(!support.ok)(`keyboard takeover${support.ok ? '' : ` (skipped: ${support.reason})`}`, () => {
  let desktop: Desktop;

  beforeAll(async () => {
    desktop = await startDesktop({ width: 1024, height: 700 });
    await desktop.xterm('cat > /dev/null', { title: 'sink', geometry: '80x20+0+0' });
  });
  afterAll(async () => {
    await desktop?.stop();
  });

  it('holds input when the person types while the agent is idle, not when the agent types', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'test/fixtures/takeover/keyboard-probe.ts', desktop.display], {
      env: desktop.env,
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { hook: boolean; afterAgent: string[]; taken: string[]; held: boolean };
    expect(out.hook).toBe(true);
    expect(out.afterAgent).toEqual([]);
    expect(out.taken[0]).toMatch(/the person typed/);
    expect(out.held).toBe(true);
  });
});
