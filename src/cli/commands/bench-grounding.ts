import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { setupGrounding } from '../../app/grounding-setup.js';
import {
  readDataset,
  runGroundingBench,
  writeBenchReport,
  type BenchSummary,
  type Tally,
} from '../../runner/grounding-bench/index.js';
import { UserInputError } from '../../shared/errors.js';
import type { Grounder } from '../../shared/ports.js';
import { withApp } from '../compose.js';
import type { CliIo } from '../output.js';

interface BenchFlags {
  dataset: string;
  grounder: string;
  limit?: number;
  report?: string;
}

function positiveInt(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('expected a whole number of 1 or more.');
  return Number(value);
}

const pct = (t: Tally): string => `${t.hits}/${t.samples}  ${(t.accuracy * 100).toFixed(1)}%`;
const ms = (v: number | null): string => (v === null ? '-' : `${v.toFixed(1)} ms`);

export function formatSummary(s: BenchSummary): string[] {
  return [
    `grounding bench: ${s.overall.samples} samples on ${s.images} images, grounder ${s.grounder}`,
    `  overall  ${pct(s.overall)}`,
    `  text     ${pct(s.text)}`,
    `  icon     ${pct(s.icon)}`,
    `  median locate: ${ms(s.medianMs.cached)} with perception cached, ${ms(s.medianMs.cold)} cold (first target on an image)`,
  ];
}

/** `deskpilot bench grounding`: accuracy of a grounder on a ScreenSpot-format dataset. */
export function registerBenchGrounding(program: Command, io: CliIo, setExit: (code: number) => void): void {
  // Other benches may hang off the same `bench` command.
  const bench =
    program.commands.find((c) => c.name() === 'bench') ?? program.command('bench').description('measure DeskPilot on datasets');
  bench
    .command('grounding')
    .description('run a grounder over a ScreenSpot-format dataset: accuracy (point inside the box) for text and icon targets, median latency')
    .requiredOption('--dataset <dir>', 'folder with annotations.jsonl (or a .json array) and its images, or the annotations file')
    .option('--grounder <name>', 'cascade (the embedded default), or one rung: text, icon, vlm, vlm-local', 'cascade')
    .option('--limit <n>', 'only the first N samples', positiveInt)
    .option('--report <dir>', 'write report.json and an annotated PNG of every miss here')
    .action(async (flags: BenchFlags, cmd: Command) => {
      setExit(
        await withApp(cmd, io, async (app, out) => {
          const dataset = await readDataset(flags.dataset);
          const g = setupGrounding(app.config, app.logger);
          try {
            const grounder: Grounder | undefined = flags.grounder === 'cascade' ? g.grounder : g.byName[flags.grounder];
            if (!grounder) {
              const known = ['cascade', ...Object.keys(g.byName)].join(', ');
              const hint = flags.grounder === 'vlm' ? ' (no grounder model endpoint is configured: set models.grounder)' : '';
              throw new UserInputError(`--grounder ${flags.grounder}: not available${hint}; choose one of ${known}`);
            }
            const result = await runGroundingBench(dataset, {
              grounder,
              ...(flags.limit ? { limit: flags.limit } : {}),
              onSample: (_r, done, total) => {
                if (!out.json && io.stderr && done % 50 === 0) io.stderr(`  ${done}/${total} samples\n`);
              },
            });
            for (const l of formatSummary(result.summary)) out.line(l);
            let report: { json: string; misses: number; dir: string } | undefined;
            if (flags.report) {
              const dir = path.resolve(flags.report);
              const written = await writeBenchReport(dir, dataset, result);
              report = { json: written.json, misses: written.misses.length, dir };
              out.line(`report: ${written.json}; ${written.misses.length} misses drawn in ${path.join(dir, 'misses')}`);
            }
            out.document({ ok: true, summary: result.summary, ...(report ? { report } : {}), samples: result.results });
            return 0;
          } finally {
            await g.ocr.dispose();
          }
        }),
      );
    });
}
