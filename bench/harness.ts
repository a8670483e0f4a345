import { performance } from 'node:perf_hooks';

/** One measured quantity, summarised over its samples. */
export interface Figure {
  median: number;
  min: number;
  max: number;
  unit: string;
}

export interface BenchResult {
  figures: Record<string, Figure>;
  /** How the candidate compares with the baseline measured in the same run (higher is better). */
  ratio: number;
  /** What the ratio means, in words: "row by row / batched time". */
  ratioLabel: string;
  goalMet: boolean;
}

export interface BenchContext {
  /** Few iterations: for tests that check the harness, not for numbers anyone quotes. */
  quick: boolean;
}

export interface Benchmark {
  name: string;
  description: string;
  /** The target in words, e.g. "batched at least 5x faster than row by row". */
  goal: string;
  run(context: BenchContext): Promise<BenchResult>;
}

export interface MeasureOptions<T> {
  iterations: number;
  /** Untimed rounds first, so JIT and caches are warm. */
  warmup?: number;
  /** Untimed preparation before each round; its result is handed to the timed function. */
  setup?: () => T | Promise<T>;
}

/** Times `fn` once per iteration and returns the samples in milliseconds. */
export async function measure<T = undefined>(
  fn: (prepared: T) => unknown,
  options: MeasureOptions<T>,
): Promise<number[]> {
  const samples: number[] = [];
  const rounds = (options.warmup ?? 0) + options.iterations;
  for (let i = 0; i < rounds; i++) {
    const prepared = (options.setup ? await options.setup() : undefined) as T;
    const start = performance.now();
    await fn(prepared);
    const elapsed = performance.now() - start;
    if (i >= (options.warmup ?? 0)) samples.push(elapsed);
  }
  return samples;
}

/**
 * Times a baseline and a candidate in alternating rounds, so that load from other processes
 * falls on both alike and their ratio stays meaningful on a busy machine.
 */
export async function measurePair<T = undefined>(
  baseline: (prepared: T) => unknown,
  candidate: (prepared: T) => unknown,
  options: MeasureOptions<T>,
): Promise<{ baseline: number[]; candidate: number[] }> {
  const out = { baseline: [] as number[], candidate: [] as number[] };
  const once = { iterations: 1, setup: options.setup };
  for (let i = 0; i < (options.warmup ?? 0) + options.iterations; i++) {
    const b = await measure(baseline, once);
    const c = await measure(candidate, once);
    if (i >= (options.warmup ?? 0)) {
      out.baseline.push(...b);
      out.candidate.push(...c);
    }
  }
  return out;
}

export function summarize(samples: number[], unit = 'ms'): Figure {
  if (samples.length === 0) throw new Error('no samples to summarize');
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]!, unit };
}
