import type { Command } from 'commander';
import { createAppContext, type AppContext } from '../app/context.js';
import { Output, type CliIo } from './output.js';

/** The options every command accepts (declared on the program in main.ts). */
export interface GlobalOptions {
  config?: string;
  dataDir?: string;
  logLevel?: string;
  display?: string;
  json?: boolean;
}

export function globalsOf(cmd: Command): GlobalOptions {
  return cmd.optsWithGlobals<GlobalOptions>();
}

/**
 * The CLI's composition root: config (defaults <- file <- env <- flags), logger, data dir.
 * Every command goes through here, so later commands (run, locate, record, test, ui) get the
 * same layering and the same clean-up.
 */
export function openApp(globals: GlobalOptions, io: CliIo): AppContext {
  const app = createAppContext({
    configPath: globals.config,
    env: io.env,
    // stderr is shared with people reading the command's output: only warnings unless asked.
    defaults: { logLevel: 'warn' },
    flags: { '--data-dir': globals.dataDir, '--log-level': globals.logLevel, '--display': globals.display },
  });
  // libnut (nut-js) and the capture adapters open the X display named by $DISPLAY when they
  // load, so the configured display must be in the environment before they are imported.
  if (app.display && process.env['DISPLAY'] !== app.display) process.env['DISPLAY'] = app.display;
  return app;
}

/** Runs a command body with an open app context and returns its exit code. */
export async function withApp(
  cmd: Command,
  io: CliIo,
  body: (app: AppContext, out: Output, cmd: Command) => Promise<number>,
): Promise<number> {
  const globals = globalsOf(cmd);
  const out = new Output(io, globals.json === true);
  const app = openApp(globals, io);
  try {
    return await body(app, out, cmd);
  } finally {
    await app.dispose();
  }
}
