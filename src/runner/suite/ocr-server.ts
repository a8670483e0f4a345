import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { workerArgs } from './child.js';
import { modelCacheIn } from '../../perception/ocr/cache-dir.js';
import { nodeStartEnv, OCR_SERVER_ENV, ocrThreadsPerWorker, WORKER_MALLOC, type OcrServerAddress, type OcrServerConfig } from './protocol.js';

/**
 * The run's OCR server: one process that holds the OCR models for all of a run's workers, which
 * send it the screens they read (perception/ocr/server.ts). Its entry is ocr-server-main.ts, a
 * start-up bundle of its own (src/cli/bundle.mjs), given its config in DESKPILOT_OCR_SERVER.
 *
 * Each worker used to load the models itself: ~0.15 s of CPU in its start, and its first read
 * grew its heap by ~60k page faults, paid again in every worker while the others started too.
 */

export interface OcrServerHandle extends OcrServerAddress {
  /** Ends the server and resolves once its process exited (the same promise on each call). */
  close(): Promise<void>;
}

/**
 * The server for a run whose temp dir is `runDir` (`entry`: the server's bundle or source,
 * ocrServerEntry() in cli/commands/test.ts; optimised models are kept in `dataDir`'s cache).
 * None with DESKPILOT_NO_OCR_SERVER=1 (each worker loads the models itself, as before), or when the temp
 * dir's path is too long for a Unix socket (108 bytes on Linux, 104 on macOS).
 */
export function startOcrServer(runDir: string, entry: string, dataDir: string): OcrServerHandle | undefined {
  const socket = path.join(runDir, 'ocr.sock');
  if (process.env['DESKPILOT_NO_OCR_SERVER'] === '1' || Buffer.byteLength(socket) > 100) {
    takePrestarted()?.kill(); // started ahead for nothing
    return undefined;
  }
  return spawnOcrServer(entry, { socket, threads: ocrThreadsPerWorker(1), modelCacheDir: modelCacheIn(dataDir) }, process.env);
}

/** The server the CLI's launcher started ahead (src/cli/prestart.mjs), if it is there and still running. */
function takePrestarted(): ChildProcess | undefined {
  const ahead = globalThis as { __deskpilotOcrServer?: ChildProcess };
  const child = ahead.__deskpilotOcrServer;
  ahead.__deskpilotOcrServer = undefined;
  return child && child.exitCode === null && child.signalCode === null && child.connected ? child : undefined;
}

/** A server started ahead, given its config; it is this run's to close, as one spawned here would be. */
function configure(child: ChildProcess, config: OcrServerConfig): ChildProcess {
  child.ref(); // the launcher left it unable to keep the CLI alive
  child.channel?.ref();
  child.send({ config: JSON.stringify(config) });
  return child;
}

function spawnOcrServer(entry: string, config: OcrServerConfig, env: NodeJS.ProcessEnv): OcrServerHandle {
  const ahead = takePrestarted();
  const child = ahead
    ? configure(ahead, config)
    : spawn(process.execPath, workerArgs(entry), {
        env: {
          // It opens no TLS connection and starts no programs (see nodeStartEnv).
          ...nodeStartEnv(env, { tls: false, forChildren: false }),
          ...WORKER_MALLOC,
          [OCR_SERVER_ENV]: JSON.stringify(config),
        },
        // The IPC channel only tells it when this process is gone: it then exits.
        stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
      });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  let closing: Promise<void> | undefined;
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      if (child.connected) child.disconnect();
      else child.kill('SIGTERM');
      const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(kill);
    }
  };
  return {
    socket: config.socket,
    ...(child.pid !== undefined ? { pid: child.pid } : {}),
    close: () => (closing ??= close()),
  };
}
