import { headlessConfirmer, terminalConfirmer, type HeadlessPolicy } from '../app/confirmers.js';
import type { AppContext } from '../app/context.js';
import { setupEngine, type EngineSetup } from '../app/engine-setup.js';
import type { EngineEvent } from '../engine/events.js';
import { secretStoreFor } from './commands/secrets.js';
import type { CliIo, Output } from './output.js';

export interface EngineSessionFlags {
  dryRun?: boolean;
  confirm?: 'ask' | HeadlessPolicy;
}

/**
 * The engine as `run` and `replay` use it on the person's own screen: confirmations asked on
 * the terminal (or a headless policy), secrets from the data dir's store, one progress line per
 * step, and Ctrl+C stopping the run. Disposed however the body ends.
 */
export async function withEngineSession(
  app: AppContext,
  out: Output,
  io: CliIo,
  flags: EngineSessionFlags,
  body: (setup: EngineSetup) => Promise<number>,
): Promise<number> {
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
    return await body(setup);
  } finally {
    process.removeListener('SIGINT', stop);
    await setup.dispose();
  }
}

export function progress(e: EngineEvent, line: (s: string) => void): void {
  if (e.type === 'step_started') line(`[${e.index + 1}] ${e.description}${e.thought ? `  — ${e.thought}` : ''}`);
  else if (e.type === 'target_resolved') line(`    found by ${e.resolution.source} (${Math.round(e.resolution.confidence * 100)}%) at ${Math.round(e.resolution.point.x)}, ${Math.round(e.resolution.point.y)}`);
  else if (e.type === 'confirmation_needed') line(`    waiting for confirmation: ${e.reasons.join('; ')}`);
  else if (e.type === 'step_finished') line(`    ${e.outcome} in ${Math.round(e.durationMs)} ms${e.error ? `: ${e.error.message}` : ''}`);
  else if (e.type === 'run_paused') line(`paused: ${e.reason}`);
}
