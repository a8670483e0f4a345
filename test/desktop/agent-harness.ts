import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { headlessConfirmer } from '../../src/app/confirmers.js';
import { createAppContext, type AppContext } from '../../src/app/context.js';
import { setupEngine, type EngineSetup } from '../../src/app/engine-setup.js';
import type { SecretStore } from '../../src/shared/ports.js';
import { startModelServer, type ModelServer } from '../fakes/model-server.js';
import { startDesktop, type Desktop } from './bed/index.js';

export interface Agent {
  desktop: Desktop;
  model: ModelServer;
  app: AppContext;
  setup: EngineSetup;
  work: string;
  /** What the headless confirmer was asked, one line each. */
  asked: string[];
  stop(): Promise<void>;
}

/**
 * The whole agent as the CLI builds it, on a private virtual desktop with a scripted model
 * server as `models.planner`. One per test file (nut-js holds one X display per process).
 */
export async function startAgent(options: {
  confirm: 'allow' | 'deny';
  logLevel?: string;
  logDestination?: string;
  secrets?: (dataDir: string) => Promise<SecretStore>;
}): Promise<Agent> {
  const work = mkdtempSync(path.join(tmpdir(), 'deskpilot-agent-'));
  const dataDir = path.join(work, 'data');
  const desktop = await startDesktop({ width: 1280, height: 800, windowManager: true });
  const model = await startModelServer();
  const asked: string[] = [];
  const app = createAppContext({
    env: { DISPLAY: desktop.display },
    flags: { '--data-dir': dataDir, '--display': desktop.display, ...(options.logLevel ? { '--log-level': options.logLevel } : {}) },
    defaults: { logLevel: 'silent', models: { planner: { baseURL: model.baseURL, model: 'scripted-vl', timeoutMs: 20_000, maxRetries: 0 } } },
    ...(options.logDestination ? { logDestination: options.logDestination } : {}),
  });
  const setup = await setupEngine(app, {
    confirmer: headlessConfirmer(options.confirm, (l) => asked.push(l)),
    keyboardHook: false,
    ...(options.secrets ? { secrets: await options.secrets(dataDir) } : {}),
  });
  return {
    desktop,
    model,
    app,
    setup,
    work,
    asked,
    async stop() {
      await setup.dispose();
      await app.dispose();
      await model.close();
      await desktop.stop();
      rmSync(work, { recursive: true, force: true });
    },
  };
}
