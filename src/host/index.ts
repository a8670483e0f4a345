import type { AppContext } from '../app/context.js';
import { ensureRenderer } from './renderer-build.js';
import { startHost, type Host } from './server.js';
import { createDeskService, type DeskService, type DeskServiceOptions } from './service.js';
import { testRunsDir } from './test-area.js';

export { startHost, type Host, type HostOptions } from './server.js';
export { createDeskService, type DeskService } from './service.js';
export { dispatch, type Handlers } from './dispatch.js';
export { ensureRenderer, rendererBuilt, RENDERER_DIR } from './renderer-build.js';

export interface OpenHostOptions {
  port?: number;
  token?: string;
  rendererDir?: string;
  keyboardHook?: boolean;
  /** The engine's screen source maker (see DeskServiceOptions.screen). */
  screen?: DeskServiceOptions['screen'];
  note?: (line: string) => void;
}

export interface OpenHost extends Host {
  service: DeskService;
}

/** The host's composition: the app's service (engine, store, confirmations) behind the server. */
export async function openHost(app: AppContext, options: OpenHostOptions = {}): Promise<OpenHost> {
  const rendererDir = await ensureRenderer(options.rendererDir, options.note);
  const service = createDeskService(app, {
    ...(options.keyboardHook === undefined ? {} : { keyboardHook: options.keyboardHook }),
    ...(options.screen ? { screen: options.screen } : {}),
  });
  const host = await startHost({
    service,
    rendererDir,
    store: () => app.store(),
    testRunsDir: testRunsDir(app.dataDir),
    logger: app.logger,
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.token ? { token: options.token } : {}),
  }).catch(async (err: unknown) => {
    await service.dispose();
    throw err;
  });
  return {
    ...host,
    service,
    async close() {
      await host.close();
      await service.dispose();
    },
  };
}
