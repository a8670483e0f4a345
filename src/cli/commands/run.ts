import { withEngineSession } from '../engine-session.js';
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { HeadlessPolicy } from '../../app/confirmers.js';
import { ListStepSource } from '../../engine/sources.js';
import { looksLikeCommands } from '../../planner/commands/looks-like.js';
import { parseCommands } from '../../planner/commands/parse.js';
import { UserInputError } from '../../shared/errors.js';
import type { StepSource } from '../../shared/ports.js';
import { withApp } from '../compose.js';
import { UsageError, type CliIo } from '../output.js';

/** Exit codes of `deskpilot run`: the run's status, as scripts and CI read it. */
export const RUN_EXIT = { succeeded: 0, failed: 1, aborted: 130, interrupted: 1 } as const;

function positiveInt(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('expected a whole number of 1 or more.');
  return Number(value);
}

interface RunFlags {
  maxSteps?: number;
  dryRun?: boolean;
  confirm?: 'ask' | HeadlessPolicy;
}

export function registerRun(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('run')
    .description('do a task on the screen: direct commands (click "Save"; press ctrl+s) or, with a planner model, a goal in words')
    .argument('<task>', 'commands separated by ; or newlines, or a free-form goal')
    .option('--max-steps <n>', 'stop after this many steps', positiveInt)
    .option('--dry-run', 'resolve targets and record the input instead of sending it')
    .addOption(
      new Option('--confirm <how>', 'sensitive steps: ask on the terminal, or answer deny/allow without asking (default: ask on a terminal, deny otherwise)').choices(['ask', 'deny', 'allow']),
    )
    .action(async (task: string, flags: RunFlags, cmd: Command) => {
      setExit(
        await withApp(cmd, io, async (app, out) => {
          const source = chooseSource(task);
          return withEngineSession(app, out, io, flags, async (setup) => {
            const steps = source ?? setup.planner(task);
            if (!steps) throw noModel(task);
            const result = await setup.engine.run({
              source: steps,
              title: task,
              kind: source ? 'command' : 'chat',
              control: setup.control,
              ...(flags.maxSteps ? { maxSteps: flags.maxSteps } : {}),
            });
            out.document({ ok: result.status === 'succeeded', run: result.run, steps: result.steps });
            if (result.error) out.line(`${result.status}: ${result.error.message}`);
            out.line(`run ${result.run.id}: ${result.status} (${result.steps.length} steps) — deskpilot runs show ${result.run.id}`);
            return RUN_EXIT[result.status];
          });
        }),
      );
    });
}

/** Direct commands when the text parses as commands; otherwise it is a goal for the planner. */
function chooseSource(task: string): StepSource | undefined {
  try {
    return new ListStepSource(parseCommands(task).map((c) => c.step));
  } catch (err) {
    // A mistyped command is a bad command line (exit 2), not a failed run.
    if (looksLikeCommands(task)) throw err instanceof UserInputError ? new UsageError(err.message) : err;
    return undefined;
  }
}

function noModel(task: string): Error {
  let why = 'not a command';
  try {
    parseCommands(task);
  } catch (err) {
    if (err instanceof UserInputError) why = err.message;
  }
  return new UserInputError(
    `"${task}" is not a direct command (${why}), and no planner model is configured for free-form goals. ` +
      'Use commands such as click "Save"; type "hi" into "Name"; press ctrl+s — or set models.planner (baseURL, model) in the config file or DESKPILOT_MODEL_BASE_URL and DESKPILOT_MODEL.',
  );
}

