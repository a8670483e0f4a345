import { readdirSync, readFileSync } from 'node:fs';

/**
 * The process table, read from /proc (Linux): which of a task's processes still run, and how
 * much CPU they used. Elsewhere (no /proc) `undefined`, and callers fall back to signal 0.
 */

export interface ProcInfo {
  pid: number;
  pgrp: number;
  /** R, S, D, Z (zombie: ended, not yet reaped), ... */
  state: string;
  /** utime + stime, in ms. */
  cpuMs: number;
}

const TICK_MS = 10; // USER_HZ is 100 on every Linux the runner supports

export function procTable(): ProcInfo[] | undefined {
  if (process.platform !== 'linux') return undefined;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return undefined;
  }
  const out: ProcInfo[] = [];
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${e}/stat`, 'utf8');
    } catch {
      continue; // ended while we looked
    }
    // After the command name (which may hold spaces and parentheses): state, ppid, pgrp, ...
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    out.push({
      pid: Number(e),
      state: f[0] ?? '?',
      pgrp: Number(f[2]),
      cpuMs: (Number(f[11]) + Number(f[12])) * TICK_MS,
    });
  }
  return out;
}

/**
 * Whether any process of the groups, or any of the pids, still runs. A zombie does not: apps'
 * children are reparented to init when the app ends, and a container's init may reap them
 * only once a second (Chromium's were seen as zombies for ~1 s after they had all ended).
 */
export function anyRunning(groups: readonly number[], pids: readonly number[]): boolean {
  const table = procTable();
  if (!table) return groups.some((g) => signalled(-g)) || pids.some((p) => signalled(p));
  return table.some((p) => p.state !== 'Z' && (groups.includes(p.pgrp) || pids.includes(p.pid)));
}

/**
 * CPU time (ms) the groups' processes that still exist used so far: 0 for no groups, undefined
 * when none is left (or there is no /proc): an app that ended took its CPU time with it.
 */
export function groupsCpuMs(groups: readonly number[]): number | undefined {
  if (groups.length === 0) return 0;
  const left = (procTable() ?? []).filter((p) => groups.includes(p.pgrp));
  return left.length ? left.reduce((sum, p) => sum + p.cpuMs, 0) : undefined;
}

/** CPU time (ms) used so far by the pids that still exist (0 without /proc). */
export function processCpuMs(pids: readonly number[]): number {
  if (pids.length === 0) return 0;
  return (procTable() ?? []).filter((p) => pids.includes(p.pid)).reduce((sum, p) => sum + p.cpuMs, 0);
}

/** Sends `sig` to a process (pid > 0) or a process group (pid < 0); false if there is none. */
export function signal(pid: number, sig: NodeJS.Signals | 0): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false; // already gone
  }
}

function signalled(pid: number): boolean {
  return signal(pid, 0);
}
