// `npm run bench [-- <name>...] [--json] [--quick]`: runs the named benchmarks (all when none is
// named) and prints each one's figures and its ratio against the baseline measured in the same run.
import { parseArgs } from 'node:util';
import type { Benchmark, BenchResult, Figure } from './harness.js';
import { benchmarks } from './registry.js';

const USAGE = 'usage: npm run bench [-- <name>...] [--json] [--quick]';

function parse(): { names: string[]; json: boolean; quick: boolean } {
  try {
    const { values, positionals } = parseArgs({
      allowPositionals: true,
      options: {
        json: { type: 'boolean' },
        quick: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      console.log(
        `${USAGE}\nbenchmarks: ${benchmarks.map((b) => `\n  ${b.name}: ${b.description}`).join('')}`,
      );
      process.exit(0);
    }
    const quick = values.quick === true || process.env.DESKPILOT_BENCH_QUICK === '1';
    return { names: positionals, json: values.json === true, quick };
  } catch (err) {
    console.error(`${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
    process.exit(2);
  }
}

function select(names: string[]): Benchmark[] {
  if (names.length === 0) return benchmarks;
  const known = new Map(benchmarks.map((b) => [b.name, b]));
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length > 0) {
    console.error(
      `unknown benchmark${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}\n` +
        `known benchmarks: ${[...known.keys()].join(', ')}`,
    );
    process.exit(2);
  }
  return names.map((n) => known.get(n)!);
}

const round = (n: number): number => Math.round(n * 1000) / 1000;
const fmt = (n: number): string => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));

function printHuman(b: Benchmark, r: BenchResult): void {
  const width = Math.max(...Object.keys(r.figures).map((k) => k.length));
  const lines = [`${b.name}: ${b.description}`, `  goal: ${b.goal}`];
  for (const [label, f] of Object.entries(r.figures)) {
    const cell = (n: number): string => `${fmt(n)} ${f.unit}`.padStart(11);
    lines.push(`  ${label.padEnd(width)}  median ${cell(f.median)}  min ${cell(f.min)}  max ${cell(f.max)}`);
  }
  lines.push(`  ratio: ${fmt(r.ratio)}x (${r.ratioLabel})  goal ${r.goalMet ? 'met' : 'NOT met'}`, '');
  console.log(lines.join('\n'));
}

function printJson(b: Benchmark, r: BenchResult): void {
  const figures: Record<string, Figure> = {};
  for (const [k, f] of Object.entries(r.figures)) {
    figures[k] = { median: round(f.median), min: round(f.min), max: round(f.max), unit: f.unit };
  }
  const line = {
    name: b.name,
    figures,
    ratio: round(r.ratio),
    ratioLabel: r.ratioLabel,
    goal: b.goal,
    goalMet: r.goalMet,
  };
  console.log(JSON.stringify(line));
}

async function main(): Promise<void> {
  const { names, json, quick } = parse();
  let failed = false;
  for (const b of select(names)) {
    try {
      const result = await b.run({ quick });
      if (json) printJson(b, result);
      else printHuman(b, result);
    } catch (err) {
      failed = true;
      console.error(
        `benchmark ${b.name} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
      );
    }
  }
  process.exitCode = failed ? 1 : 0;
}

await main();
