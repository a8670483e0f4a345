import { withEngineSession } from '../engine-session.js';
import path from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { HeadlessPolicy } from '../../app/confirmers.js';
import { loadMacro, replayMacro, resolveParams, setPendingRepairs } from '../../macros/index.js';
import { withApp } from '../compose.js';
import type { CliIo } from '../output.js';
import { macrosDir } from './macro.js';
import { RUN_EXIT } from './run.js';

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
          return withEngineSession(app, out, io, flags, async (setup) => {
            out.line(`replaying "${loaded.macro.name}" from ${loaded.file}`);
            const result = await replayMacro(setup.deps, setup.perception, loaded.macro, {
              params: flags.param,
              ...(flags.data ? { dataFile: flags.data } : {}),
              control: setup.control,
              ...setup.replayOptions,
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
          });
        }),
      );
    });
}

