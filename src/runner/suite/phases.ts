/**
 * Where a task's time goes: per phase (setup, steps, evaluate, teardown) the wall time and the
 * CPU time of the worker process, and the CPU its apps burnt. Reported with every attempt, so a
 * slow suite shows whether it waits (sleeps, polls, app start) or computes (OCR, Chromium).
 */

export interface PhaseTiming {
  wallMs: number;
  /** CPU time of the worker process (all its threads, OCR included). */
  cpuMs: number;
}

export class PhaseClock {
  readonly phases: Record<string, PhaseTiming> = {};
  private wall = performance.now();
  private cpu = process.cpuUsage();

  /** Closes the phase running since the last lap (or since the clock was made) as `name`. */
  lap(name: string): void {
    const now = performance.now();
    const used = process.cpuUsage(this.cpu);
    this.phases[name] = {
      wallMs: Math.round(now - this.wall),
      cpuMs: Math.round((used.user + used.system) / 1000),
    };
    this.wall = now;
    this.cpu = process.cpuUsage();
  }
}
