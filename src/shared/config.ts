import { z } from 'zod';

/**
 * The one configuration schema. Layers are merged once, in the composition root:
 * defaults <- config file <- environment <- flags. The core receives the result as a
 * parameter and never reads `process.env` itself.
 */

export const LogLevel = z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']);
export type LogLevel = z.infer<typeof LogLevel>;

export const ModelEndpoint = z
  .object({
    /** OpenAI-compatible base URL, usually ending in /v1. */
    baseURL: z.url(),
    model: z.string().min(1),
    /** `{{secret:NAME}}` or a literal key; literal keys are redacted in logs. */
    apiKey: z.string().optional(),
    timeoutMs: z.number().int().positive().default(60_000),
    maxRetries: z.number().int().nonnegative().default(2),
  })
  .strict();
export type ModelEndpoint = z.infer<typeof ModelEndpoint>;

const LocalVlmDtype = z.enum(['fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4', 'q4f16', 'bnb4']);

/** grounding.localVlm: where the model folder is and which model it holds. */
export const LocalVlmConfig = z
  .object({
    /** The folder (config.json, tokenizer.json, onnx/…); relative to the working directory. */
    dir: z.string().min(1).default('models/vlm-local'),
    /** Prompt and answer syntax: ShowUI-2B is 'showui', OS-Atlas-Base-7B is 'os-atlas-7b'. */
    format: z.enum(['os-atlas-7b', 'os-atlas-4b', 'showui', 'uground', 'ui-tars']).default('showui'),
    /** Which onnx/*.onnx variant to load (q4 → decoder_model_merged_q4.onnx); one or per graph. */
    dtype: z
      .union([LocalVlmDtype, z.object({ vision_encoder: LocalVlmDtype, embed_tokens: LocalVlmDtype, decoder_model_merged: LocalVlmDtype }).partial().strict()])
      .optional(),
    /** Image pixel budget; the model's usual one (1344·28² for ShowUI) when absent. */
    maxPixels: z.number().int().min(3136).optional(),
    maxNewTokens: z.number().int().positive().default(64),
  })
  .strict();
export type LocalVlmConfig = z.infer<typeof LocalVlmConfig>;

export const Config = z
  .object({
    /** Where the database, screenshots and reports live; the platform default when absent. */
    dataDir: z.string().min(1).optional(),
    logLevel: LogLevel.default('info'),
    /** X display to act on (":0"); the environment's DISPLAY when absent. */
    display: z.string().min(1).optional(),
    models: z
      .object({ planner: ModelEndpoint.optional(), grounder: ModelEndpoint.optional() })
      .strict()
      .default({}),
    engine: z
      .object({
        maxSteps: z.number().int().positive().default(30),
        stepTimeoutMs: z.number().int().positive().default(60_000),
        runTimeoutMs: z.number().int().positive().default(30 * 60_000),
      })
      .strict()
      .default({ maxSteps: 30, stepTimeoutMs: 60_000, runTimeoutMs: 30 * 60_000 }),
    grounding: z
      .object({
        /** 'vlm-local' (the model folder at grounding.localVlm) is not in the default: it needs a download. */
        cascade: z.array(z.enum(['text', 'icon', 'template', 'vlm', 'vlm-local'])).min(1).default(['text', 'icon', 'template', 'vlm']),
        templateThreshold: z.number().min(0).max(1).default(0.7),
        /** Below this, a cheap rung's answer falls through to the next rung. */
        minConfidence: z.number().min(0).max(1).default(0.5),
        /** The output format of the grounder model at models.grounder (FIELD_NOTES). */
        vlmFormat: z.enum(['os-atlas-7b', 'os-atlas-4b', 'showui', 'uground', 'ui-tars']).default('ui-tars'),
        /** The local VLM grounder ('vlm-local'): a Qwen2-VL ONNX folder, models/README.md. */
        localVlm: LocalVlmConfig.optional(),
      })
      .strict()
      .default({ cascade: ['text', 'icon', 'template', 'vlm'], templateThreshold: 0.7, minConfidence: 0.5, vlmFormat: 'ui-tars' }),
    safety: z
      .object({
        /** A confirmation not answered in time is a deny. */
        confirmTimeoutMs: z.number().int().positive().default(120_000),
        /** Apps the agent may act in; empty means any. */
        allowApps: z.array(z.string().min(1)).default([]),
        /** A YAML policy file whose rules extend (same id: replace) the default policy. */
        policyFile: z.string().min(1).optional(),
      })
      .strict()
      .default({ confirmTimeoutMs: 120_000, allowApps: [] }),
    /** The desktop app (src/main): its global stop hotkey and how it captures the screen. */
    desktopApp: z
      .object({
        /** An Electron accelerator that stops the run from anywhere. */
        stopHotkey: z.string().min(1).default('Control+Alt+Escape'),
        /** 'desktop-capturer': Electron's own capture (Wayland, macOS permissions); 'nut': nut-js like the CLI. */
        captureSource: z.enum(['nut', 'desktop-capturer']).default('nut'),
      })
      .strict()
      .default({ stopHotkey: 'Control+Alt+Escape', captureSource: 'nut' }),
  })
  .strict();
export type Config = z.infer<typeof Config>;
export type ConfigInput = z.input<typeof Config>;

/** A partial layer of configuration, as read from one source, before validation. */
export type ConfigLayer = Record<string, unknown>;

/** Environment variables DeskPilot reads, and where each lands in the config. */
export const ENV_KEYS: Record<string, string[]> = {
  DESKPILOT_DATA_DIR: ['dataDir'],
  DESKPILOT_LOG_LEVEL: ['logLevel'],
  DESKPILOT_DISPLAY: ['display'],
  DESKPILOT_MODEL_BASE_URL: ['models', 'planner', 'baseURL'],
  DESKPILOT_MODEL: ['models', 'planner', 'model'],
  DESKPILOT_MODEL_API_KEY: ['models', 'planner', 'apiKey'],
  DESKPILOT_GROUNDER_BASE_URL: ['models', 'grounder', 'baseURL'],
  DESKPILOT_GROUNDER_MODEL: ['models', 'grounder', 'model'],
  DESKPILOT_GROUNDER_API_KEY: ['models', 'grounder', 'apiKey'],
  DESKPILOT_MAX_STEPS: ['engine', 'maxSteps'],
};

const NUMERIC_PATHS = new Set(['engine.maxSteps']);

/** Builds the environment layer; only variables listed in ENV_KEYS are read. */
export function envLayer(env: Record<string, string | undefined>): ConfigLayer {
  const layer: ConfigLayer = {};
  for (const [name, path] of Object.entries(ENV_KEYS)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const value = NUMERIC_PATHS.has(path.join('.')) && /^\d+$/.test(raw) ? Number(raw) : raw;
    setPath(layer, path, value);
  }
  return layer;
}

export function setPath(obj: ConfigLayer, path: string[], value: unknown): void {
  let cur: Record<string, unknown> = obj;
  path.forEach((key, i) => {
    if (i === path.length - 1) {
      cur[key] = value;
      return;
    }
    const next = cur[key];
    if (!isPlainObject(next)) cur[key] = {};
    cur = cur[key] as Record<string, unknown>;
  });
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep merge: objects merge key by key, anything else (arrays included) is replaced. */
export function mergeLayers(...layers: ConfigLayer[]): ConfigLayer {
  const out: ConfigLayer = {};
  for (const layer of layers) mergeInto(out, layer);
  return out;
}

function mergeInto(target: Record<string, unknown>, src: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(src)) {
    if (v === undefined) continue;
    const cur = target[k];
    if (isPlainObject(v) && isPlainObject(cur)) mergeInto(cur, v);
    else target[k] = isPlainObject(v) ? mergeLayers(v) : v;
  }
}
