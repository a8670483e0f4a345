import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTool } from '../../src/actions/process.js';
import { readFileSync } from 'node:fs';
import { execProgram, launchProgram, runProgram } from '../../src/actions/run-program.js';
import { spawnBrokerPid, startSpawnBroker, stopSpawnBroker } from '../../src/actions/spawn-broker-client.js';
import { activeWindowReader } from '../../src/app/window.js';
import { queryXrandrDisplays } from '../../src/perception/displays.js';
import { routeCommands } from '../../src/perception/x11.js';
import { startVirtualDisplay, type VirtualDisplay } from '../../src/runner/xvfb.js';
import { nullLogger } from '../../src/shared/logger.js';
import { desktopSupport } from './bed/index.js';

const support = desktopSupport();

/**
 * The callers a test worker routes through its spawn broker, on a real private X display:
 * xclip (the paste path, whose forked server keeps the pipes open), the window reader
 * (xdotool), a window wait (`sh -c` loop) and xrandr (perception's runCommand).
 */
describe.skipIf(!support.ok)(`the spawn broker on a desktop${support.ok ? '' : ` (skipped: ${support.reason})`}`, () => {
  let screen: VirtualDisplay;
  let xterm: ChildProcess | undefined;
  let routed = 0;
  beforeAll(async () => {
    expect(startSpawnBroker()).toBe(true);
    routeCommands((file, args, options) => {
      routed++;
      return runProgram(file, args, options);
    });
    screen = await startVirtualDisplay({ from: 240 });
  });
  afterAll(async () => {
    routeCommands(undefined);
    xterm?.kill('SIGKILL');
    await stopSpawnBroker();
    await screen?.stop();
  });

  it('copies with xclip -i (resolves at its exit) and reads the clipboard back', async () => {
    expect(spawnBrokerPid()).toBeGreaterThan(0);
    const text = 'through the broker: äöü ß';
    const put = await runTool('xclip', ['-selection', 'clipboard', '-i'], screen.env, text);
    expect(put.code).toBe(0);
    const got = await execProgram('xclip', ['-selection', 'clipboard', '-o'], { env: screen.env, timeoutMs: 3000 });
    expect(got.stdout).toBe(text);
  });

  it('waits for a window with a shell loop, then the window reader names it', async () => {
    const title = 'broker window';
    xterm = spawn('xterm', ['-T', title, '-e', 'sleep 60'], { env: screen.env, stdio: 'ignore' });
    const wait = 'until xdotool search --onlyvisible --name "$1" >/dev/null 2>&1; do sleep 0.05; done';
    await execProgram('sh', ['-c', wait, 'sh', title], { env: screen.env, timeoutMs: 20_000 });
    const id = (await execProgram('xdotool', ['search', '--onlyvisible', '--name', title], { env: screen.env })).stdout.trim().split('\n')[0]!;
    await execProgram('xdotool', ['windowactivate', '--sync', id], { env: screen.env, timeoutMs: 5000 });
    const window = await activeWindowReader(screen.env)();
    expect(window).toEqual({ title, app: 'xterm' });
  });

  it("lists the monitors with xrandr through perception's runCommand", async () => {
    const before = routed;
    const displays = await queryXrandrDisplays(screen.display, nullLogger);
    expect(routed).toBeGreaterThan(before);
    expect(displays?.[0]?.bounds).toMatchObject({ x: 0, y: 0, width: 1280, height: 800 });
  });

  it('starts an app through the broker: its own process group, left running, not a child of this process', async () => {
    const pid = await launchProgram('xterm', ['-T', 'launched by the broker', '-e', 'sleep 60'], { env: screen.env });
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const [, ppid, pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
      expect(pgrp).toBe(pid); // a session and group of its own: the task's teardown ends the group
      expect(ppid).toBe(spawnBrokerPid()); // forked by the broker, not by this (big) process
      await execProgram('xdotool', ['search', '--sync', '--onlyvisible', '--name', 'launched by the broker'], { env: screen.env, timeoutMs: 10_000 });
    } finally {
      process.kill(-pid, 'SIGKILL');
    }
    await expect(launchProgram('no-such-program-here', [], { env: screen.env })).rejects.toThrow(/could not run no-such-program-here: .*ENOENT/);
  });

  it('says which program failed and why', async () => {
    await expect(execProgram('xdotool', ['windowsize', '999999', '10', '10'], { env: screen.env })).rejects.toThrow(
      /^xdotool windowsize 999999 10 10 failed \(exit code 1\): .*BadWindow/,
    );
  });
});
