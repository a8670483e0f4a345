import path from 'node:path';
import { headlessConfirmer } from '../../app/confirmers.js';
import { loadMacro, replayMacro } from '../../macros/index.js';
import { createAppContext } from '../../app/context.js';
import { setupEngine } from '../../app/engine-setup.js';
import type { EngineListener } from '../../engine/events.js';
import type { TaskRuntime } from '../../runner/suite/attempt.js';
import { openSecretStore } from '../../storage/secrets/index.js';
import { createScreenSource } from '../../perception/create.js';
import { watchDamage } from '../../actions/x11-damage.js';
import { connectOcr } from '../../perception/ocr/server.js';
import { lazyOcr } from '../../perception/ocr/lazy.js';
import { isProcessAlive } from '../../storage/liveness.js';
import { nextChange } from '../../engine/checks.js';
import type { Frame } from '../../shared/ports.js';
import type { OcrServerAddress } from '../../runner/suite/protocol.js';

/**
 * The engine for scripted task runs, on one display: used by each test worker (on its private
 * Xvfb) and by `deskpilot test --no-isolate` (on the current display). Loaded lazily: it loads
 * libnut, which binds the X display named by $DISPLAY for the life of the process.
 */

export interface RuntimeOptions {
  dataDir: string;
  secretsDir: string;
  configPath?: string;
  logLevel?: string;
  display?: string;
  confirm: 'deny' | 'allow';
  env: Record<string, string | undefined>;
  sweepWindows: boolean;
  /** On a private display (a test worker's Xvfb) nobody can take over: no failsafe polling there. */
  privateDisplay?: boolean;
  /** The private display's Xvfb framebuffer file: the screen is read from it (see fb-source.ts). */
  framebuffer?: string;
  /** The run's OCR server (see perception/ocr/server.ts): screens are read there, no models load here. */
  ocrServer?: OcrServerAddress;
}

export async function openRuntime(
  o: RuntimeOptions,
): Promise<{ runtime: TaskRuntime; dispose: () => Promise<void> }> {
  const app = createAppContext({
    configPath: o.configPath,
    env: o.env,
    defaults: { logLevel: 'warn' },
    flags: { '--data-dir': o.dataDir, '--log-level': o.logLevel, '--display': o.display },
  });
  if (app.display) process.env['DISPLAY'] = app.display;
  let listener: EngineListener | undefined;
  const passphrase = o.env['DESKPILOT_SECRETS_PASSPHRASE'];
  const setup = await setupEngine(app, {
    // Nobody watches a test run: sensitive steps get the headless answer (the task log notes it).
    confirmer: headlessConfirmer(o.confirm, (line) => app.logger.info({ confirm: o.confirm }, line)),
    keyboardHook: false,
    failsafe: !o.privateDisplay,
    secrets: await openSecretStore({ dataDir: o.secretsDir, ...(passphrase ? { passphrase } : {}) }),
    ...(o.framebuffer
      ? {
          screen: async () => {
            // The X server says when something was drawn: a still screen is not read again.
            const damage = app.display ? await watchDamage(app.display).catch(() => undefined) : undefined;
            const logger = app.logger;
            return createScreenSource({ ...(app.display ? { display: app.display } : {}), framebuffer: o.framebuffer, logger, ...(damage ? { damage } : {}) });
          },
        }
      : {}),
    listener: (e) => listener?.(e),
    ...(o.ocrServer
      ? {
          // Should the server fail, this worker reads with models of its own (the run goes on).
          ocr: connectOcr(o.ocrServer.socket, {
            fallback: () => lazyOcr({ logger: app.logger }),
            ...(o.ocrServer.pid !== undefined ? { serverAlive: isProcessAlive.bind(null, o.ocrServer.pid) } : {}),
            onFallback: (reason) => app.logger.warn({ reason }, 'OCR server unavailable: reading with this worker\'s own models'),
          }),
        }
      : {}),
  });
  const store = await app.store();
  /** The screen screenText last read: screenChange waits for one that differs from it. */
  let lastRead: Frame | undefined;
  const display = (await setup.deps.screen.listDisplays())[0];
  const runtime: TaskRuntime = {
    env: { ...process.env, ...(app.display ? { DISPLAY: app.display } : {}) },
    display: app.display,
    screen: { width: display?.bounds.width ?? 1280, height: display?.bounds.height ?? 800 },
    engine: setup.engine,
    control: setup.control,
    store,
    planner: (instruction) => setup.planner(instruction),
    async screenText(signal) {
      // Through the engine's incremental OCR, which forgetScreens() resets at the start of each
      // task (so no text is kept from an earlier task's screen): a setup wait that polls re-reads
      // only what changed, and the first step's grounding reuses the wait's reading of the same
      // screen instead of reading it whole again.
      const frame = await setup.deps.screen.capture(undefined, signal);
      lastRead = frame;
      const result = await setup.perception.incremental.recognize(frame, signal);
      return result.lines.map((l) => l.text).join('\n');
    },
    async screenChange(signal) {
      // Fast captures (50 ms apart; a still screen is not read again, see watchDamage): the
      // next read comes as soon as the app has drawn, as the engine's `wait for` does.
      if (lastRead) await nextChange(setup.deps.screen, lastRead, performance.now() + 1000, signal);
    },
    setListener: (l) => (listener = l),
    // A new task is a new screen: read it whole, not as a change of the last task's screen.
    forgetScreens: () => setup.perception.incremental.reset(),
    secretValues: () => app.secrets,
    replayMacro: (ref, params, taskFile, control) => {
      // A path is relative to the task file; a bare name is a saved macro of the data dir.
      const isPath = /\.ya?ml$/i.test(ref) || ref.includes('/');
      const loaded = loadMacro(undefined, path.join(app.dataDir, 'macros'), isPath ? path.resolve(path.dirname(taskFile), ref) : ref);
      return replayMacro(setup.deps, setup.perception, loaded.macro, { params, control, ...setup.replayOptions });
    },
    sweepWindows: o.sweepWindows,
  };
  return {
    runtime,
    dispose: async () => {
      await setup.dispose().catch(() => undefined);
      await app.dispose();
    },
  };
}
