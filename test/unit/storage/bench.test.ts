import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

function bench(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/index.ts', ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, DESKPILOT_BENCH_QUICK: '1' },
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('npm run bench', () => {
  it('prints one JSON object per benchmark with figures, ratio and goal in --json mode', () => {
    const r = bench('storage', '--json');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const result = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
    expect(result.name).toBe('storage');
    expect(result.goal).toMatch(/faster than row by row/);
    expect(typeof result.goalMet).toBe('boolean');
    expect(typeof result.ratio).toBe('number');
    expect(result.ratio).toBeGreaterThan(0);
    const figures = Object.values(result.figures as Record<string, Record<string, unknown>>);
    expect(figures).toHaveLength(2);
    for (const f of figures) {
      expect(f.unit).toBe('ms');
      const { min, median, max } = f as { min: number; median: number; max: number };
      expect(min).toBeGreaterThan(0);
      expect(min).toBeLessThanOrEqual(median);
      expect(median).toBeLessThanOrEqual(max);
    }
  }, 60_000);

  it('prints median, min, max and the ratio for people', () => {
    const r = bench('storage');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^storage: writing 1,000 steps/);
    expect(r.stdout).toMatch(/median .* min .* max /);
    expect(r.stdout).toMatch(/ratio: [\d.]+x \(row-by-row time \/ batched time\)/);
  }, 60_000);

  it('refuses an unknown benchmark name with exit code 2 and lists the known ones', () => {
    const r = bench('storage', 'no-such-bench');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown benchmark: no-such-bench/);
    expect(r.stderr).toMatch(/known benchmarks: .*storage/);
    expect(r.stdout).toBe('');
  }, 60_000);
});
