import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { ENV_KEYS, LogLevel } from '../shared/config.js';
import { ROOT } from './bundle.mjs';
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

type Register = (program: Command, io: CliIo, setExit: (code: number) => void) => void;

/**
 * Each command's module by the name typed (in the order help lists them), loaded only when
 * needed: `deskpilot test` then starts without the engine, ONNX Runtime, sharp or the UI host.
 */
const COMMANDS: Record<string, () => Promise<Register>> = {
  doctor: async () => (await import('./commands/doctor.js')).registerDoctor,
  run: async () => (await import('./commands/run.js')).registerRun,
  record: async () => (await import('./commands/record.js')).registerRecord,
  replay: async () => (await import('./commands/replay.js')).registerReplay,
  macro: async () => (await import('./commands/macro.js')).registerMacro,
  models: async () => (await import('./commands/models.js')).registerModels,
  locate: async () => (await import('./commands/locate.js')).registerLocate,
  secrets: async () => (await import('./commands/secrets.js')).registerSecrets,
  runs: async () => (await import('./commands/runs.js')).registerRuns,
  bench: async () => (await import('./commands/bench-grounding.js')).registerBenchGrounding,
  test: async () => (await import('./commands/test.js')).registerTest,
  ui: async () => (await import('./commands/ui.js')).registerUi,
};

/** The options every command takes (before or after its name). */
function globalOptions(): Option[] {
  return [
    new Option('--config <file>', 'config file (YAML or JSON)'),
    new Option('--data-dir <dir>', 'where the database, screenshots and reports live'),
    new Option('--log-level <level>', 'log detail on stderr').choices(LogLevel.options),
    new Option('--display <:N>', 'X display to act on (default: $DISPLAY)'),
    new Option('--json', 'print one JSON document on stdout'),
  ];
}

/** Global options that take a value (so the command name is found after them). */
export const VALUED = new Set(globalOptions().flatMap((o) => (o.required && o.long ? [o.long] : [])));

/**
 * The commands a command line needs: the one it names; none for --version; all of them for help,
 * a typo (suggestions) or no command.
 */
export function commandsFor(args: string[]): string[] {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-V' || a === '--version') return [];
    if (VALUED.has(a)) i++;
    else if (!a.startsWith('-')) return Object.hasOwn(COMMANDS, a) ? [a] : Object.keys(COMMANDS);
  }
  return Object.keys(COMMANDS);
}

/**
 * The `deskpilot` program with the commands `names` (default: all); commands report their exit
 * code through `setExit`.
 */
export async function buildProgram(
  io: CliIo,
  setExit: (code: number) => void,
  json: boolean,
  names = Object.keys(COMMANDS),
): Promise<Command> {
  const program = new Command('deskpilot')
    .description('DeskPilot: a desktop agent that sees the screen and works the mouse and keyboard for you')
    .version(packageVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .addHelpText('after', HELP_AFTER)
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout(s),
      // In --json mode the usage error becomes the JSON document instead.
      writeErr: (s) => (json ? undefined : io.stderr(s)),
    });
  for (const option of globalOptions()) program.addOption(option);
  const registers = await Promise.all(names.map((n) => COMMANDS[n]!()));
  for (const register of registers) register(program, io, setExit);
  return program;
}

/** Runs the command line (process.argv form) and returns the exit code; never throws. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const json = argv.slice(2).includes('--json');
  let code = 0;
  const program = await buildProgram(io, (c) => (code = c), json, commandsFor(argv.slice(2)));
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
