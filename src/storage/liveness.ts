import { readFileSync } from 'node:fs';
import { uptime } from 'node:os';

/**
 * Whether the process that owns a run is still the one that started it. A pid alone is not
 * enough: after a reboot, or in a container that restarts, the same small pid goes to another
 * process. On Linux a run therefore also keeps a token (boot id + the process's start time),
 * which names one process in one boot exactly.
 */

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

function bootId(): string | null {
  return readText('/proc/sys/kernel/random/boot_id')?.trim() || null;
}

/** State and start time (clock ticks after boot) from /proc/<pid>/stat. */
function procStat(pid: number): { state: string; startTicks: string } | null {
  const text = readText(`/proc/${pid}/stat`);
  if (!text) return null;
  // Field 2 (the command name) may hold spaces and parentheses; the fields after the last ')' do not.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = rest[0];
  const startTicks = rest[19]; // field 22
  return state && startTicks ? { state, startTicks } : null;
}

/** Names one process in one boot; null where the platform does not tell. */
export function processToken(pid: number): string | null {
  const boot = bootId();
  const stat = procStat(pid);
  return boot && stat ? `${boot}/${stat.startTicks}` : null;
}

export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A killed child that its parent has not reaped yet still answers signal 0.
  const stat = procStat(pid);
  return !(stat && (stat.state === 'Z' || stat.state === 'X'));
}

/** When this machine booted, for platforms without a boot id. */
export function bootTimeMs(): number {
  return Date.now() - uptime() * 1000;
}

export interface RunOwner {
  pid: number;
  owner: string | null;
  startedAt: string;
}

/** Why a run's owner can no longer be working on it, or null when it may still be. */
export function whyOrphaned(run: RunOwner): string | null {
  if (!isProcessAlive(run.pid)) return `its process ${run.pid} is gone`;
  const token = processToken(run.pid);
  if (run.owner && token) {
    return run.owner === token ? null : `pid ${run.pid} now belongs to another process (or an earlier boot)`;
  }
  // No token to compare: a run that started before this boot cannot be alive. The minute of
  // slack absorbs the jitter of deriving boot time from uptime.
  if (Date.parse(run.startedAt) < bootTimeMs() - 60_000) return `it started before this boot`;
  return null;
}
