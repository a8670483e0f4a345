import type { AppContext } from '../app/context.js';
import { dottedPath, problemsOf } from '../app/config-issues.js';
import { Config, isPlainObject, type ConfigLayer } from '../shared/config.js';
import { ConfigError, UserInputError } from '../shared/errors.js';
import type { SecretStore, Store } from '../shared/ports.js';
import { openSecretStore, type NamedSecretStore } from '../storage/secrets/index.js';

/**
 * What the settings screen saved, laid over the loaded config (defaults <- file <- environment
 * <- flags <- saved here). Kept in the store under one key as a partial config layer, where a
 * null removes the key below it (an endpoint's key, a policy file). The app's next run uses it.
 */
export const OVERRIDES_KEY = 'config.overrides';

export function readOverrides(store: Pick<Store, 'settings'>): ConfigLayer {
  const v = store.settings.get(OVERRIDES_KEY);
  return isPlainObject(v) ? v : {};
}

/** Deep merge where null deletes; arrays and scalars replace. */
export function overlay(base: Record<string, unknown>, layer: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(layer)) {
    if (v === undefined) continue;
    if (v === null) delete out[k];
    else if (isPlainObject(v)) out[k] = overlay(isPlainObject(out[k]) ? out[k] : {}, v);
    else out[k] = v;
  }
  return out;
}

/**
 * The config with `layer` over it, checked by the one schema. A bad value is refused with the
 * field named: `models.planner.baseURL: Invalid URL`.
 */
export function applyOverrides(base: Config, layer: ConfigLayer, blame = 'settings'): Config {
  const result = Config.safeParse(overlay(structuredClone(base), layer));
  if (result.success) return result.data;
  const why = problemsOf(result.error)
    .map((p) => `${dottedPath(p.path)}: ${p.message}`)
    .join('; ');
  throw new UserInputError(`${blame}: ${why}`, {}, { code: 'SETTINGS_INVALID' });
}

/** The dotted keys a layer sets ("models.planner", "grounding.cascade"), for the screen to list. */
export function keysOf(layer: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(layer).flatMap(([k, v]) => {
    const key = prefix ? `${prefix}.${k}` : k;
    // An endpoint is saved as a whole: list it as one.
    if (v === null) return [`${key} (removed)`];
    return isPlainObject(v) && !(prefix === 'models') ? keysOf(v, key) : [key];
  });
}

/**
 * The app as the next run sees it: its config with the saved settings over it. Saved settings
 * that no longer validate (an older version wrote them) stop the run with the key named.
 */
export async function appWithSettings(app: AppContext): Promise<AppContext> {
  const layer = readOverrides(await app.store());
  if (Object.keys(layer).length === 0) return app;
  try {
    return { ...app, config: applyOverrides(app.config, layer) };
  } catch (err) {
    throw new ConfigError(`${err instanceof Error ? err.message : String(err)} (saved in the app's Settings: fix or reset it there)`);
  }
}

/**
 * The config for a model check: the saved settings over it, and `{{secret:NAME}}` keys replaced
 * by their values (the check sends them; a missing secret is left out and the check says 401).
 */
export async function configForCheck(app: AppContext, secrets: Pick<SecretStore, 'get'>): Promise<Config> {
  const config = structuredClone((await appWithSettings(app)).config);
  for (const endpoint of Object.values(config.models as Record<string, { apiKey?: string } | undefined>)) {
    const name = endpoint?.apiKey ? /^\{\{secret:([^}]+)\}\}$/.exec(endpoint.apiKey)?.[1] : undefined;
    if (!endpoint || !name) continue;
    const value = await secrets.get(name);
    if (value === undefined) delete endpoint.apiKey;
    else {
      app.secrets.add(value);
      endpoint.apiKey = value;
    }
  }
  return config;
}

const stores = new WeakMap<AppContext, Promise<NamedSecretStore>>();

/**
 * The app's one secret store, opened once: the settings screen writes to the same store the
 * engine and the model check read (opening it twice can land on two stores: the keychain probe
 * fails on a first D-Bus call on some desktops, and the encrypted file is used instead).
 */
export function appSecretStore(app: AppContext): Promise<NamedSecretStore> {
  let s = stores.get(app);
  if (!s) {
    s = openSecretStore({ dataDir: app.dataDir });
    stores.set(app, s);
  }
  return s;
}
