import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInputDriver, type NutInputDriver } from '../../src/actions/index.js';
import { runTool } from '../../src/actions/process.js';
import { startVirtualDisplay, type VirtualDisplay } from '../../src/runner/xvfb.js';
import { desktopSupport } from './bed/index.js';

const support = desktopSupport();

/**
 * "type into" clicks the field, then types. A window manager gives the keyboard focus on click
 * when it gets to it; on a loaded machine that is after the first keys were sent, which then went
 * to the window that had the focus (seen in CI: "Ada Lovelace" arrived as "ce"). Here openbox is
 * held (SIGSTOP) across the click, so it gives the focus 300 ms late every time.
 */
describe.skipIf(!support.ok)(`typing after a click${support.ok ? '' : ` (skipped: ${support.reason})`}`, () => {
  let screen: VirtualDisplay;
  let driver: NutInputDriver;
  const apps: ChildProcess[] = [];
  const work = mkdtempSync(path.join(tmpdir(), 'deskpilot-focus-'));
  const file = (name: string) => path.join(work, `${name}.txt`);

  beforeAll(async () => {
    screen = await startVirtualDisplay({ from: 250 });
    for (const [name, x] of [['A', 0], ['B', 500]] as const) {
      apps.push(
        spawn('xterm', ['-T', `focus-${name}`, '-geometry', `40x10+${x}+0`, '-e', 'sh', '-c', `cat > ${file(name)}`], {
          env: screen.env,
          stdio: 'ignore',
        }),
      );
      await runTool('xdotool', ['search', '--sync', '--onlyvisible', '--name', `^focus-${name}$`], screen.env);
    }
    driver = (await createInputDriver({ display: screen.display, env: screen.env })) as NutInputDriver;
  });
  afterAll(async () => {
    await driver?.dispose();
    for (const a of apps) a.kill('SIGKILL');
    await screen?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('waits until the clicked window has the keyboard focus before typing', async () => {
    const wm = screen.pids[1]!;
    await driver.click({ x: 600, y: 100 }, { focus: true }); // B has the focus
    process.kill(wm, 'SIGSTOP');
    const resume = setTimeout(() => process.kill(wm, 'SIGCONT'), 300);
    try {
      await driver.click({ x: 100, y: 100 }, { focus: true }); // A, as "type into" clicks its field
      await driver.type('hello\n');
    } finally {
      clearTimeout(resume);
      process.kill(wm, 'SIGCONT');
    }
    await driver.key('ctrl+d');
    await expect.poll(() => readFileSync(file('A'), 'utf8'), { timeout: 5000 }).toBe('hello\n');
    expect(readFileSync(file('B'), 'utf8')).toBe('');
  });
});
