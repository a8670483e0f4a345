// The OCR server of a `deskpilot test` run, started before the CLI itself loads. The CLI takes
// ~0.12 s to load and reach the point where it starts the run's processes, on one core; the
// server's own start (Node, its bundle, ONNX Runtime) fits in that time on the other. Started
// later, it competed with the workers' start-up for the cores: with 2 workers on 2 cores the
// sample suite took ~1% longer (16 alternating rounds). The server waits for its config
// (socket, model cache) from the CLI (ocr-server.ts), and exits when the CLI does without
// sending one (a usage error, --help).
import { spawn } from 'node:child_process';
import { nodeStartEnv, OCR_SERVER_DEFERRED_ENV, WORKER_MALLOC, WORKER_NODE_FLAGS } from '../runner/suite/process-tuning.mjs';
import { freshBundle } from './bundle.mjs';

// The CLI's global options that take a value (src/cli/program.ts; a test keeps them equal).
export const VALUED_OPTIONS = ['--config', '--data-dir', '--log-level', '--display'];

/** Whether a command line runs tasks on private displays (`test` without --no-isolate, --list, --help). */
export function runsIsolatedTests(args) {
  let command;
  let i = 0;
  for (; i < args.length; i++) {
    if (VALUED_OPTIONS.includes(args[i])) i++;
    else if (!args[i].startsWith('-')) {
      command = args[i];
      break;
    }
  }
  if (command !== 'test') return false;
  const rest = args.slice(i + 1);
  return !['--no-isolate', '--list', '--help', '-h'].some((flag) => rest.includes(flag));
}

/**
 * Starts the OCR server for `args` when they run isolated tests and the server's bundle can be
 * had (built first when stale, as the CLI would). The process is left on globalThis for
 * ocr-server.ts; it does not keep this process alive.
 */
export async function prestartOcrServer(args, env = process.env) {
  if (!runsIsolatedTests(args) || env.DESKPILOT_NO_OCR_SERVER === '1' || env.DESKPILOT_NO_BUNDLE === '1')
    return;
  const entry = await freshBundle('ocr-server');
  if (!entry) return;
  const child = spawn(process.execPath, [...WORKER_NODE_FLAGS, entry], {
    env: { ...nodeStartEnv(env, { tls: false, forChildren: false }), ...WORKER_MALLOC, [OCR_SERVER_DEFERRED_ENV]: '1' },
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
  });
  child.on('error', () => undefined); // no server then: the CLI starts one as before
  child.unref();
  child.channel?.unref();
  globalThis.__deskpilotOcrServer = child;
}
