import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTool } from '../../../src/actions/process.js';
import { execProgram, runProgram } from '../../../src/actions/run-program.js';
import { relaySpawns, spawnBrokerPid, startSpawnBroker, stopSpawnBroker } from '../../../src/actions/spawn-broker-client.js';
import { ActionError } from '../../../src/shared/errors.js';

// The broker serves the X11 helper programs (xdotool, xclip, xrandr) of a Linux test worker.
const linux = process.platform === 'linux';
const NOT_LINUX = ' (skipped: the spawn broker is used on Linux only)';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
let dir: string;

const alive = (pid: number) => existsSync(`/proc/${pid}`) && !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
async function until(done: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!done()) throw new Error(`gave up waiting: ${what}`);
}

describe.skipIf(!linux)(`runProgram through the spawn broker${linux ? '' : NOT_LINUX}`, () => {
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'run-program-'));
    expect(startSpawnBroker()).toBe(true);
  });
  afterAll(async () => {
    await stopSpawnBroker();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs the program as a child of the broker and returns stdout, stderr and the exit code', async () => {
    const broker = spawnBrokerPid();
    expect(broker).toBeGreaterThan(0);
    const r = await runProgram('sh', ['-c', 'echo "$PPID"; echo oops >&2; exit 3']);
    expect(Buffer.isBuffer(r.stdout)).toBe(true);
    expect(Number(r.stdout.toString().trim())).toBe(broker);
    expect(r.stderr.toString()).toBe('oops\n');
    expect(r).toMatchObject({ code: 3, signal: null, timedOut: false, aborted: false });
  });

  it('passes the environment, working directory and stdin of each call', async () => {
    const r = await runProgram('sh', ['-c', 'echo "$FOO $(pwd)"; cat'], {
      env: { PATH: process.env['PATH'], FOO: 'bar' },
      cwd: dir,
      input: 'from stdin',
    });
    expect(r.stdout.toString()).toBe(`bar ${dir}\nfrom stdin`);
    // Binary output comes back unchanged.
    const bytes = await runProgram('printf', ['\\000\\377\\001']);
    expect([...bytes.stdout]).toEqual([0, 255, 1]);
  });

  it('stops a program at its timeout', async () => {
    const r = await runProgram('sleep', ['30'], { timeoutMs: 200 });
    expect(r).toMatchObject({ code: null, signal: 'SIGTERM', timedOut: true });
    await expect(execProgram('sleep', ['30'], { timeoutMs: 200 })).rejects.toThrow(/sleep 30 failed \(timed out after 200 ms\)/);
  });

  it('SIGKILLs the program when the signal fires, and it is gone when the promise settles', async () => {
    const pidFile = path.join(dir, 'pid');
    const ac = new AbortController();
    const running = runProgram('sh', ['-c', `echo $$ > ${pidFile}; exec sleep 30`], { signal: ac.signal });
    await until(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').endsWith('\n'), 'the program wrote its pid');
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(alive(pid)).toBe(true);
    ac.abort();
    const r = await running;
    expect(r).toMatchObject({ code: null, signal: 'SIGKILL', aborted: true });
    expect(alive(pid)).toBe(false);
    // An already fired signal runs nothing.
    expect((await runProgram('true', [], { signal: ac.signal })).aborted).toBe(true);
  });

  it("resolves at the program's exit with until: 'exit' while a forked child holds the pipes (xclip)", async () => {
    const pidFile = path.join(dir, 'bg');
    const r = await runProgram('sh', ['-c', `sleep 30 & echo $! > ${pidFile}; exit 0`], { until: 'exit' });
    expect(r.code).toBe(0);
    const bg = Number(readFileSync(pidFile, 'utf8'));
    expect(alive(bg)).toBe(true); // still holding stdout: 'close' would not have come yet
    process.kill(bg, 'SIGKILL');
  });

  it('names the program it could not run', async () => {
    await expect(runProgram('no-such-program-dp', [])).rejects.toThrow(/^could not run no-such-program-dp: .*ENOENT/);
    const err = await runTool('no-such-program-dp', [], process.env).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ActionError);
    expect((err as Error).message).toMatch(/^could not run no-such-program-dp: .*ENOENT/);
  });

  it('runs many calls at once and keeps their results apart', async () => {
    const rs = await Promise.all(Array.from({ length: 20 }, (_, i) => runProgram('sh', ['-c', `echo ${i}`])));
    expect(rs.map((r) => r.stdout.toString().trim())).toEqual(Array.from({ length: 20 }, (_, i) => String(i)));
  });
});

describe.skipIf(!linux)(`the spawn broker and its parent${linux ? '' : NOT_LINUX}`, () => {
  it('spawns directly when no broker is up', async () => {
    await stopSpawnBroker();
    expect(spawnBrokerPid()).toBeUndefined();
    const r = await runProgram('sh', ['-c', 'echo "$PPID"']);
    expect(Number(r.stdout.toString().trim())).toBe(process.pid);
  });

  it('does not keep its parent alive, and ends when the parent ends', async () => {
    // A parent that starts the broker, runs one program, prints the broker's pid and falls off
    // the end: it must exit by itself (the broker's channel is unref'ed when idle).
    const script = [
      "const m = { ...(await import('./src/actions/run-program.ts')), ...(await import('./src/actions/spawn-broker-client.ts')) };",
      'm.startSpawnBroker();',
      "const r = await m.runProgram('echo', ['hi']);",
      "process.stdout.write(m.spawnBrokerPid() + ' ' + r.stdout.toString());",
    ].join('\n');
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(err).toBe('');
    expect(code).toBe(0);
    const [pid, word] = out.trim().split(' ');
    expect(word).toBe('hi');
    const broker = Number(pid);
    expect(broker).toBeGreaterThan(0);
    await until(() => !alive(broker), 'the broker ended after its parent');
  });

  it("stopSpawnBroker waits until the broker has exited (so its CPU is in the parent's cutime)", async () => {
    const script = [
      "const m = { ...(await import('./src/actions/run-program.ts')), ...(await import('./src/actions/spawn-broker-client.ts')) };",
      'm.startSpawnBroker();',
      'const pid = m.spawnBrokerPid();',
      "await m.runProgram('true', []);",
      'await m.stopSpawnBroker();',
      "const { existsSync } = await import('node:fs');",
      "process.stdout.write(existsSync('/proc/' + pid) ? 'still there' : 'gone');",
    ].join('\n');
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect({ code, out }).toEqual({ code: 0, out: 'gone' });
  });

  it('ends the broker when its parent is killed, even with a program in flight', async () => {
    const work = mkdtempSync(path.join(os.tmpdir(), 'run-program-'));
    const pidFile = path.join(work, 'pid');
    const script = [
      "const m = { ...(await import('./src/actions/run-program.ts')), ...(await import('./src/actions/spawn-broker-client.ts')) };",
      'm.startSpawnBroker();',
      // A program in flight: the broker must not wait for it once its parent is gone.
      `void m.runProgram('sh', ['-c', 'echo $$ > ${pidFile}; exec sleep 30']);`,
      "process.stdout.write(m.spawnBrokerPid() + '\\n');",
      'setInterval(() => undefined, 1000);',
    ].join('\n');
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    const broker = await new Promise<number>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(Number(d.toString()))));
    await until(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').endsWith('\n'), 'the program started');
    const program = Number(readFileSync(pidFile, 'utf8'));
    expect(alive(broker)).toBe(true);
    child.kill('SIGKILL');
    try {
      await until(() => !alive(broker), 'the broker ended after its parent was killed');
    } finally {
      if (alive(program)) process.kill(program, 'SIGKILL');
      rmSync(work, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!linux)(`programs relayed to the parent (a test worker's relaySpawns)${linux ? '' : NOT_LINUX}`, () => {
  it("returns what the parent ran, says which program could not run, and has the parent end one on abort", async () => {
    // The parent's side, as spawnWorker does it (here by plain spawn: in the parent, its own broker).
    const sent: string[] = [];
    const running = new Map<number, ChildProcess>();
    const deliver = relaySpawns((m) => {
      if ('kill' in m) {
        sent.push(`kill ${m.kill}`);
        running.get(m.kill)?.kill('SIGKILL');
        return;
      }
      sent.push(m.file);
      const child = spawn(m.file, m.args, { env: m.env });
      running.set(m.id, child);
      const out: Buffer[] = [];
      child.stdout.on('data', (d: Buffer) => out.push(d));
      child.on('error', (err: NodeJS.ErrnoException) => deliver({ id: m.id, error: { message: err.message, ...(err.code ? { code: err.code } : {}) } }));
      child.on('close', (code, signal) => deliver({ id: m.id, code, signal, stdout: Buffer.concat(out), stderr: Buffer.alloc(0), timedOut: false }));
    });
    try {
      expect((await runProgram('sh', ['-c', 'echo relayed'])).stdout.toString()).toBe('relayed\n');
      await expect(runProgram('no-such-program-here', [])).rejects.toThrow(/^could not run no-such-program-here: spawn no-such-program-here ENOENT$/);
      const stop = new AbortController();
      const slow = runProgram('sleep', ['5'], { signal: stop.signal });
      setTimeout(() => stop.abort(), 50);
      expect((await slow).aborted).toBe(true);
      expect(sent).toEqual(['sh', 'no-such-program-here', 'sleep', expect.stringMatching(/^kill \d+$/)]);
    } finally {
      await stopSpawnBroker(); // forgets the relay; nothing of its own to end
    }
    expect(spawnBrokerPid()).toBeUndefined();
  });
});
