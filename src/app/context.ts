import path from 'node:path';
import type { Config } from '../shared/config.js';
import type { Logger } from '../shared/logger.js';
import type { Store } from '../shared/ports.js';
import { loadConfig, type ConfigSources, type LoadConfigOptions } from './config.js';
import { createLogger } from './logger.js';
import { currentPlatform, resolveDataDir } from './paths.js';

/**
 * The composition shared by the Node-side roots (cli, host, main): config, then logger, then
 * the data dir, then whatever a command needs, opened lazily and closed in one place.
 */

export interface AppOptions extends LoadConfigOptions {
  /** Where logs go: stderr unless a root chooses a file. */
  logDestination?: 'stderr' | (string & {});
}

export interface AppContext {
  config: Config;
  sources: ConfigSources;
  logger: Logger;
  /** The data dir in use, absolute. */
  dataDir: string;
  /** The X display to act on: config (file, DESKPILOT_DISPLAY, --display), else $DISPLAY. */
  display: string | undefined;
  /** Values that must never appear in logs; add resolved secrets here. */
  secrets: Set<string>;
  /** Opens the store on first use; later calls return the same one. */
  store(): Promise<Store>;
  /** The database file of the store (whether or not it is open). */
  databaseFile(): Promise<string>;
  /** Closes everything opened through this context. */
  dispose(): Promise<void>;
}

const SECRET_REF = /^\{\{secret:[^}]+\}\}$/;

export function createAppContext(options: AppOptions): AppContext {
  const { config, sources } = loadConfig(options);
  const platform = options.platform ?? currentPlatform(options.env);
  const secrets = new Set<string>();
  // Literal keys written in the config are secrets too, wherever they would show up.
  for (const m of [config.models.planner, config.models.grounder]) {
    if (m?.apiKey && !SECRET_REF.test(m.apiKey)) secrets.add(m.apiKey);
  }
  const logger = createLogger({
    level: config.logLevel,
    destination: options.logDestination ?? 'stderr',
    secrets: () => secrets,
  });
  const dataDir = resolveDataDir(config.dataDir, platform);
  const display = config.display ?? (options.env['DISPLAY'] || undefined);
  let store: Store | undefined;

  logger.debug(
    {
      configFile: sources.file,
      configFound: sources.fileFound,
      env: sources.env,
      flags: sources.flags,
      dataDir,
    },
    'configuration loaded',
  );

  return {
    config,
    sources,
    logger,
    dataDir,
    display,
    secrets,
    async store() {
      // Storage loads better-sqlite3; commands that never touch it do not pay for it.
      const { openStore } = await import('../storage/index.js');
      store ??= openStore({ dataDir, logger });
      return store;
    },
    async databaseFile() {
      const { DATABASE_FILE } = await import('../storage/index.js');
      return path.join(dataDir, DATABASE_FILE);
    },
    dispose() {
      store?.close();
      store = undefined;
      return Promise.resolve();
    },
  };
}
