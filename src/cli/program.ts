import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { ENV_KEYS, LogLevel } from '../shared/config.js';
import { ROOT } from './bundle.mjs';
import { registerBenchGrounding } from './commands/bench-grounding.js';
import { registerDoctor } from './commands/doctor.js';
import { registerLocate } from './commands/locate.js';
import { registerMacro } from './commands/macro.js';
import { registerModels } from './commands/models.js';
import { registerRecord } from './commands/record.js';
import { registerReplay } from './commands/replay.js';
import { registerRun } from './commands/run.js';
import { registerSecrets } from './commands/secrets.js';
import { registerTest } from './commands/test.js';
import { registerRuns } from './commands/runs.js';
import { registerUi } from './commands/ui.js';
import type { GlobalOptions } from './compose.js';
import { Output, UsageError, type CliIo } from './output.js';

export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

const HELP_AFTER = `
Configuration, later wins: defaults <- config file <- environment <- flags.
  config file  --config, else $DESKPILOT_CONFIG, else the platform default
               (Linux: $XDG_CONFIG_HOME/deskpilot/config.yaml or ~/.config/deskpilot/config.yaml)
  environment  ${wrap(Object.keys(ENV_KEYS), 15)}

Exit status: 0 success, 1 failure, 2 bad command line.`;

function wrap(words: string[], indent: number): string {
  const lines: string[] = [];
  let cur = '';
  for (const w of words) {
    if (cur && cur.length + w.length + 2 > 80 - indent) {
      lines.push(cur + ',');
      cur = w;
    } else cur = cur ? `${cur}, ${w}` : w;
  }
  lines.push(cur);
  return lines.join('\n' + ' '.repeat(indent));
}

/** The `deskpilot` program; commands report their exit code through `setExit`. */
export function buildProgram(io: CliIo, setExit: (code: number) => void, json: boolean): Command {
  const program = new Command('deskpilot')
    .description('DeskPilot: a desktop agent that sees the screen and works the mouse and keyboard for you')
    .version(packageVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .option('--config <file>', 'config file (YAML or JSON)')
    .option('--data-dir <dir>', 'where the database, screenshots and reports live')
    .addOption(new Option('--log-level <level>', 'log detail on stderr').choices(LogLevel.options))
    .option('--display <:N>', 'X display to act on (default: $DISPLAY)')
    .option('--json', 'print one JSON document on stdout')
    .addHelpText('after', HELP_AFTER)
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout(s),
      // In --json mode the usage error becomes the JSON document instead.
      writeErr: (s) => (json ? undefined : io.stderr(s)),
    });
  registerDoctor(program, io, setExit);
  registerRun(program, io, setExit);
  registerRecord(program, io, setExit);
  registerReplay(program, io, setExit);
  registerMacro(program, io, setExit);
  registerModels(program, io, setExit);
  registerLocate(program, io, setExit);
  registerSecrets(program, io, setExit);
  registerRuns(program, io, setExit);
  registerBenchGrounding(program, io, setExit);
  registerTest(program, io, setExit);
  registerUi(program, io, setExit);
  return program;
}

/** Runs the command line (process.argv form) and returns the exit code; never throws. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const json = argv.slice(2).includes('--json');
  let code = 0;
  const program = buildProgram(io, (c) => (code = c), json);
  try {
    await program.parseAsync(argv);
    return code;
  } catch (err) {
    const globals = program.opts<GlobalOptions>();
    const out = new Output(io, json || globals.json === true);
    if (err instanceof CommanderError) {
      if (err.exitCode === 0) return 0; // --help, --version
      // commander already printed its message in text mode
      if (out.json) out.error(new UsageError(err.message.replace(/^error: /, '')), { usage: true });
      return 2;
    }
    const level = globals.logLevel ?? io.env['DESKPILOT_LOG_LEVEL'];
    return out.error(err, { debug: level === 'debug' || level === 'trace' });
  }
}
