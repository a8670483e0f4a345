import path from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { headlessConfirmer, terminalConfirmer, type HeadlessPolicy } from '../../app/confirmers.js';
import { setupEngine } from '../../app/engine-setup.js';
import type { EngineEvent } from '../../engine/events.js';
import { VlmGrounder } from '../../grounding/vlm/index.js';
import { loadMacro, replayMacro, resolveParams, setPendingRepairs } from '../../macros/index.js';
import { OpenAiModelClient } from '../../planner/model/client.js';
import { withApp } from '../compose.js';
import type { CliIo } from '../output.js';
import { macrosDir } from './macro.js';
import { RUN_EXIT } from './run.js';
import { secretStoreFor } from './secrets.js';

interface ReplayFlags {
  param: Record<string, string>;
  data?: string;
  dryRun?: boolean;
  confirm?: 'ask' | HeadlessPolicy;
}

function collectParam(value: string, previous: Record<string, string>): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq < 1) throw new InvalidArgumentError('expected NAME=VALUE, e.g. --param amount=12');
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}

export function registerReplay(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('replay')
    .description('replay a macro: each step found by text, icon, template crop or landmarks, checked, and recorded like any run')
    .argument('<macro>', 'a saved macro name, or a path to a YAML file')
    .option('--param <name=value>', 'a macro parameter (repeatable)', collectParam, {})
    .option('--data <rows.csv>', 'CSV rows for the macro\'s repeat: for_each_row steps')
    .option('--dry-run', 'resolve targets and record the input instead of sending it')
    .addOption(new Option('--confirm <how>', 'sensitive and uncertain irreversible steps: ask on the terminal, or answer deny/allow (default: ask on a terminal, deny otherwise)').choices(['ask', 'deny', 'allow']))
    .action(async (name: string, flags: ReplayFlags, cmd: Command) => {
      setExit(
        await withApp(cmd, io, async (app, out) => {
          const store = await app.store();
          const loaded = loadMacro(store, macrosDir(app), name);
          // A missing or mistyped parameter is found before any window is touched.
          resolveParams(loaded.macro.params, flags.param, loaded.file);
          const interactive = process.stdin.isTTY && !out.json;
          const how = flags.confirm ?? (interactive ? 'ask' : 'deny');
          const confirmer = how === 'ask' ? terminalConfirmer(process.stdin, process.stderr) : headlessConfirmer(how, (l) => out.line(`  ${l}`));
          const setup = await setupEngine(app, {
            confirmer,
            dryRun: flags.dryRun ?? false,
            secrets: await secretStoreFor(app, io.env),
            listener: (e) => progress(e, out.line.bind(out)),
          });
          const stop = () => setup.control.stop('interrupted (Ctrl+C)');
          process.once('SIGINT', stop);
          try {
            const grounderModel = app.config.models.grounder;
            const vlm = grounderModel
              ? new VlmGrounder({ model: new OpenAiModelClient({ endpoints: { grounder: grounderModel }, logger: app.logger }), format: app.config.grounding.vlmFormat, logger: app.logger })
              : undefined;
            out.line(`replaying "${loaded.macro.name}" from ${loaded.file}`);
            const result = await replayMacro(setup.deps, setup.perception, loaded.macro, {
              params: flags.param,
              ...(flags.data ? { dataFile: flags.data } : {}),
              control: setup.control,
              templateThreshold: app.config.grounding.templateThreshold,
              ...(vlm ? { vlm } : {}),
            });
            if (result.repairs.length) setPendingRepairs(store, loaded.file, result.repairs);
            out.document({ ok: result.status === 'succeeded', run: result.run, steps: result.steps, repairs: result.repairs, skipped: result.skipped });
            if (result.error) out.line(`${result.status}: ${result.error.message}`);
            for (const s of result.skipped) out.line(`skipped: ${s}`);
            if (result.repairs.length) {
              const ref = path.dirname(loaded.file) === macrosDir(app) ? loaded.name : loaded.file;
              out.line(`${result.repairs.length} step(s) found by weaker evidence than recorded; review the fix: deskpilot macro heal ${JSON.stringify(ref)}`);
            }
            out.line(`run ${result.run.id}: ${result.status} (${result.steps.length} steps) — deskpilot runs show ${result.run.id}`);
            return RUN_EXIT[result.status];
          } finally {
            process.removeListener('SIGINT', stop);
            await setup.dispose();
          }
        }),
      );
    });
}

function progress(e: EngineEvent, line: (s: string) => void): void {
  if (e.type === 'step_started') line(`[${e.index + 1}] ${e.description}${e.thought ? `  (${path.basename(e.thought)})` : ''}`);
  else if (e.type === 'target_resolved') line(`    found by ${e.resolution.source.replace('ladder:', '')} (${Math.round(e.resolution.confidence * 100)}%) at ${Math.round(e.resolution.point.x)}, ${Math.round(e.resolution.point.y)}`);
  else if (e.type === 'confirmation_needed') line(`    waiting for confirmation: ${e.reasons.join('; ')}`);
  else if (e.type === 'step_finished') line(`    ${e.outcome} in ${Math.round(e.durationMs)} ms${e.error ? `: ${e.error.message}` : ''}`);
  else if (e.type === 'run_paused') line(`paused: ${e.reason}`);
}
