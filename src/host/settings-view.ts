import type { AppContext } from '../app/context.js';
import { loadPolicy } from '../app/engine-setup.js';
import { Config, type ModelEndpoint } from '../shared/config.js';
import type { EndpointSettingsView, SettingsConfigView } from '../shared/ipc-settings.js';
import { z } from 'zod';
import { applyOverrides, keysOf } from './settings-config.js';

/** What the settings screen shows: the config the next run will use, keys by name only. */

const SECRET_REF = /^\{\{secret:([^}]+)\}\}$/;

/** The model roles the config schema knows (planner, grounder, and any added later). */
export function modelRoles(): string[] {
  let s: z.ZodType = Config.shape.models;
  while (s instanceof z.ZodDefault || s instanceof z.ZodOptional) s = s.unwrap() as z.ZodType;
  return s instanceof z.ZodObject ? Object.keys(s.shape) : ['planner', 'grounder'];
}

/** The grounding rungs the schema accepts, in their default order. */
export function groundingRungs(): string[] {
  return Config.parse({}).grounding.cascade;
}

export function keyView(apiKey: string | undefined): NonNullable<EndpointSettingsView['endpoint']>['key'] {
  if (!apiKey) return { kind: 'none' };
  const m = SECRET_REF.exec(apiKey);
  return m ? { kind: 'secret', name: m[1]! } : { kind: 'literal' };
}

export function secretNameOf(apiKey: string | undefined): string | undefined {
  return apiKey ? SECRET_REF.exec(apiKey)?.[1] : undefined;
}

function endpointView(role: string, e: ModelEndpoint | undefined): EndpointSettingsView {
  return { role, endpoint: e ? { baseURL: e.baseURL, model: e.model, key: keyView(e.apiKey), timeoutMs: e.timeoutMs } : null };
}

function dataDirHow(app: AppContext): string {
  const from = app.sources.flags.includes('--data-dir')
    ? 'the --data-dir flag'
    : app.sources.env.includes('DESKPILOT_DATA_DIR')
      ? 'the DESKPILOT_DATA_DIR environment variable'
      : app.config.dataDir
        ? `dataDir in ${app.sources.file}`
        : 'the platform default';
  return `Set by ${from}. To use another folder, set dataDir in ${app.sources.file} (or DESKPILOT_DATA_DIR, or start with --data-dir) and restart DeskPilot; move the folder's contents along to keep the history, macros and secrets file.`;
}

export function settingsView(app: AppContext, layer: Record<string, unknown>): SettingsConfigView {
  let config = app.config;
  let savedProblem: string | undefined;
  try {
    config = applyOverrides(app.config, layer);
  } catch (err) {
    savedProblem = `${err instanceof Error ? err.message : String(err)} — the saved settings are ignored until fixed or reset`;
  }
  const models = config.models as Record<string, ModelEndpoint | undefined>;
  let rules: SettingsConfigView['safety']['rules'] = [];
  let policyError: string | undefined;
  try {
    rules = loadPolicy(config).rules.map((r) => ({ id: r.id, class: r.class, says: r.says, action: r.action, kinds: r.kinds }));
  } catch (err) {
    policyError = err instanceof Error ? err.message : String(err);
  }
  return {
    endpoints: modelRoles().map((role) => endpointView(role, models[role])),
    grounding: { cascade: config.grounding.cascade, rungs: groundingRungs(), templateThreshold: config.grounding.templateThreshold, minConfidence: config.grounding.minConfidence },
    safety: {
      allowApps: config.safety.allowApps,
      confirmTimeoutMs: config.safety.confirmTimeoutMs,
      policyFile: config.safety.policyFile ?? null,
      rules,
      ...(policyError ? { policyError } : {}),
    },
    dataDir: app.dataDir,
    dataDirHow: dataDirHow(app),
    configFile: app.sources.file,
    configFileFound: app.sources.fileFound,
    saved: keysOf(layer),
    ...(savedProblem ? { savedProblem } : {}),
  };
}
