import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { startVirtualDisplay, type VirtualDisplay } from '../src/runner/xvfb.js';
import { runProgram } from '../src/actions/run-program.js';
import { spawnBrokerPid, startSpawnBroker, stopSpawnBroker } from '../src/actions/spawn-broker-client.js';
import { measurePair, summarize, type Benchmark } from './harness.js';

const exec = promisify(execFile);
const HELD_MB = 300;
const GOAL_RATIO = 3;

/**
 * Short helper programs (xdotool, xclip, sh) run from a process that holds ~300 MB, as a test
 * worker does once the OCR models are loaded: spawned directly (execFile, what the callers did)
 * against through the spawn broker (runProgram after startSpawnBroker). Rounds alternate, so
 * load from other processes falls on both alike. CPU counts this process and the children, and
 * for the broker side the broker and its children too (read from /proc).
 */
export const spawnBench: Benchmark = {
  name: 'spawn',
  description: `short programs (true, xdotool getmouselocation) from a process holding ${HELD_MB} MB: direct spawn vs the spawn broker`,
  goal: `through the broker at least ${GOAL_RATIO}x faster per program (wall) than spawning directly`,
  async run({ quick }) {
    // The broker starts while this process is small, as in the test worker.
    if (!startSpawnBroker()) throw new Error('spawn bench: the broker script (src/actions/spawn-broker.mjs) was not found');
    const broker = spawnBrokerPid()!;
    // ~300 MB touched, page by page, like the OCR models once loaded.
    const held = Array.from({ length: HELD_MB / 50 }, () => Buffer.alloc(50 << 20, 1));
    let screen: VirtualDisplay | undefined;
    try {
      const perRound = quick ? 5 : 20;
      const rounds = quick ? { iterations: 2, warmup: 0 } : { iterations: 10, warmup: 1 };
      // xdotool needs a display: a private Xvfb (no window manager); without one, `true` only.
      screen = await startVirtualDisplay({ from: 260, windowManager: false }).catch(() => undefined);
      const env = screen?.env ?? process.env;
      const programs: [string, string[]][] = [['true', []], ...(screen ? [['xdotool', ['getmouselocation']] as [string, string[]]] : [])];
      const figures: Record<string, ReturnType<typeof summarize>> = {};
      let ratio = 0;
      for (const [file, args] of programs) {
        const name = [file, ...args].join(' ');
        const cpu = { direct: [] as number[], broker: [] as number[] };
        const { baseline, candidate } = await measurePair(
          async () => {
            const before = cpuMs(process.pid);
            for (let i = 0; i < perRound; i++) await exec(file, args, { env });
            cpu.direct.push((cpuMs(process.pid) - before) / perRound);
          },
          async () => {
            const before = cpuMs(process.pid) + cpuMs(broker);
            for (let i = 0; i < perRound; i++) {
              const r = await runProgram(file, args, { env });
              if (r.code !== 0) throw new Error(`spawn bench: ${name} failed through the broker (exit ${r.code})`);
            }
            cpu.broker.push((cpuMs(process.pid) + cpuMs(broker) - before) / perRound);
          },
          rounds,
        );
        const direct = summarize(baseline.map((ms) => ms / perRound));
        const brokered = summarize(candidate.map((ms) => ms / perRound));
        figures[`${name}: direct spawn, wall per program`] = direct;
        figures[`${name}: through the broker, wall per program`] = brokered;
        figures[`${name}: direct spawn, CPU per program (this process + children)`] = summarize(cpu.direct);
        figures[`${name}: through the broker, CPU per program (this process + broker + children)`] = summarize(cpu.broker);
        figures[`${name}: wall ratio direct / broker`] = summarize([direct.median / brokered.median], 'x');
        if (file === 'true') ratio = direct.median / brokered.median;
      }
      figures['abort to settled through the broker (sleep 30, SIGKILL)'] = summarize(await abortLatencies(quick ? 2 : 10));
      figures['memory held by this process'] = summarize([process.memoryUsage().rss / 1e6], 'MB RSS');
      return { figures, ratio, ratioLabel: 'direct spawn wall / broker wall, per `true`', goalMet: ratio >= GOAL_RATIO };
    } finally {
      held.length = 0;
      await stopSpawnBroker();
      await screen?.stop();
    }
  },
};

/** Milliseconds from abort() to the result of a killed `sleep 30` run through the broker. */
async function abortLatencies(n: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const ac = new AbortController();
    const running = runProgram('sleep', ['30'], { signal: ac.signal });
    await new Promise((r) => setTimeout(r, 30));
    const t = performance.now();
    ac.abort();
    const r = await running;
    if (!r.aborted || r.signal !== 'SIGKILL') throw new Error('spawn bench: the aborted sleep was not killed');
    out.push(performance.now() - t);
  }
  return out;
}

/**
 * CPU milliseconds from /proc/PID/stat (10 ms ticks): the reaped children's (cutime + cstime),
 * plus the process's own: utime + stime for another process, process.cpuUsage() for this one
 * (finer).
 */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
  const children = ((f[13] ?? 0) + (f[14] ?? 0)) * 10;
  if (pid !== process.pid) return children + ((f[11] ?? 0) + (f[12] ?? 0)) * 10;
  const own = process.cpuUsage();
  return children + (own.user + own.system) / 1000;
}
