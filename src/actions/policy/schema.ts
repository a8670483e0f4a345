import { z } from 'zod';

/** The classes of steps that need a person's confirmation (FIELD_NOTES, safety practice). */
export const RiskClass = z.enum([
  'send',
  'pay',
  'delete',
  'credentials',
  'system_settings',
  'install',
  'run_command',
  'accept_terms',
  'app_not_allowed',
]);
export type RiskClass = z.infer<typeof RiskClass>;

export const PolicyAction = z.enum(['allow', 'confirm', 'deny']);
export type PolicyAction = z.infer<typeof PolicyAction>;

const words = z.array(z.string().min(1)).optional();
const patterns = z
  .array(
    z.string().refine(
      (p) => {
        try {
          new RegExp(p, 'iu');
          return true;
        } catch {
          return false;
        }
      },
      { message: 'not a valid regular expression' },
    ),
  )
  .optional();

/**
 * A rule matches when the step's kind is listed, every condition holds (context_words,
 * window_words, in_terminal) and at least one trigger matches (target_words, keys,
 * typed_patterns, command_patterns) — or the rule has no triggers.
 */
export const PolicyRule = z
  .object({
    id: z.string().min(1),
    class: RiskClass,
    /** What the step does, in words shown to the person ("deletes, erases or overwrites something"). */
    says: z.string().min(1),
    action: PolicyAction.default('confirm'),
    kinds: z.array(z.string().min(1)).min(1),
    target_words: words,
    keys: words,
    typed_patterns: patterns,
    command_patterns: patterns,
    context_words: words,
    window_words: words,
    in_terminal: z.boolean().optional(),
  })
  .strict();
export type PolicyRule = z.infer<typeof PolicyRule>;

export const PolicyFile = z
  .object({
    version: z.literal(1),
    terminals: z.array(z.string().min(1)).optional(),
    /** Apps the agent may act in; any other app needs confirmation. Empty: any app. */
    allow_apps: z.array(z.string().min(1)).optional(),
    rules: z.array(PolicyRule).default([]),
  })
  .strict();
export type PolicyFile = z.infer<typeof PolicyFile>;
