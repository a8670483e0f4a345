import { z } from 'zod';

/**
 * The settings screen's part of the IPC contract beyond `settings.get`/`settings.set` (spread into
 * `channels` in ipc.ts): endpoints per role, cascade, safety policy, secrets by name. zod and types only.
 * What is saved here is kept in the store and laid over the loaded config for the app's next run;
 * the handlers (src/host/settings-area.ts) validate it against the one config schema.
 */

const Nothing = z.object({}).strict();
const SecretName = z.string().regex(/^[A-Za-z][\w.-]{0,63}$/, 'use letters, digits, _ . - (starting with a letter), as in GITHUB_TOKEN');

/** An endpoint as the form edits it: the key only by secret name, never its value. */
export const EndpointDraft = z
  .object({
    role: z.string().min(1, 'role is empty'),
    baseURL: z.string().trim().min(1, 'the base URL is empty'),
    model: z.string().trim().min(1, 'the model name is empty'),
    /** Absent: keep the key the config has; '': no key; NAME: `{{secret:NAME}}`. */
    secretName: z.union([z.literal(''), SecretName]).optional(),
  })
  .strict();
export type EndpointDraft = z.infer<typeof EndpointDraft>;

export interface EndpointSettingsView {
  role: string;
  endpoint: {
    baseURL: string;
    model: string;
    /** 'secret': `{{secret:NAME}}`; 'literal': a key written in the config file or environment (never shown). */
    key: { kind: 'none' } | { kind: 'literal' } | { kind: 'secret'; name: string };
    timeoutMs: number;
  } | null;
}

export interface PolicyRuleView {
  id: string;
  class: string;
  says: string;
  action: 'allow' | 'confirm' | 'deny';
  kinds: string[];
}

export interface SettingsConfigView {
  endpoints: EndpointSettingsView[];
  grounding: { cascade: string[]; rungs: string[]; templateThreshold: number; minConfidence: number };
  safety: {
    allowApps: string[];
    confirmTimeoutMs: number;
    policyFile: string | null;
    /** The effective rules (default policy + the policy file); empty with `policyError` set when the file is bad. */
    rules: PolicyRuleView[];
    policyError?: string;
  };
  dataDir: string;
  /** Where the data dir came from and how to change it, in words. */
  dataDirHow: string;
  configFile: string;
  configFileFound: boolean;
  /** Settings saved from this screen, as the config keys they set (shown so the person knows what wins). */
  saved: string[];
  /** Saved settings that no longer validate: ignored until fixed or reset, and why. */
  savedProblem?: string;
}

export const settingsChannels = {
  'settings.config': { input: Nothing, output: z.custom<SettingsConfigView>() },
  'settings.endpoint.save': { input: EndpointDraft, output: z.custom<SettingsConfigView>() },
  /** Checks the endpoint as drafted in the form (saved or not): reachable, key accepted, model served, sees images. */
  'settings.endpoint.check': {
    input: EndpointDraft,
    output: z.array(z.object({ name: z.string(), status: z.enum(['ok', 'fail', 'skip']), detail: z.string(), hint: z.string().optional() })),
  },
  'settings.grounding.save': {
    input: z
      .object({
        cascade: z.array(z.string().min(1)).min(1, 'keep at least one rung in the cascade'),
        templateThreshold: z.number(),
        minConfidence: z.number(),
      })
      .strict(),
    output: z.custom<SettingsConfigView>(),
  },
  'settings.safety.save': {
    input: z
      .object({
        allowApps: z.array(z.string().trim().min(1, 'an allowed app name is empty')),
        confirmTimeoutMs: z.number(),
        /** '' removes a policy file set here. */
        policyFile: z.string().trim(),
      })
      .strict(),
    output: z.custom<SettingsConfigView>(),
  },
  /** Forgets what this screen saved for one section: the config file's values apply again. */
  'settings.reset': { input: z.object({ section: z.enum(['models', 'grounding', 'safety']) }).strict(), output: z.custom<SettingsConfigView>() },
  'secrets.list': { input: Nothing, output: z.custom<{ store: string; names: string[] }>() },
  /** Write-only: the value is stored and never sent back. */
  'secrets.set': { input: z.object({ name: SecretName, value: z.string().min(1, 'the value is empty') }).strict(), output: Nothing },
  'secrets.delete': { input: z.object({ name: SecretName }).strict(), output: z.object({ removed: z.boolean() }) },
} as const;
