import { z } from 'zod';

/**
 * The task file format, shaped like OSWorld's task configs (id, instruction, setup, evaluator)
 * so that people who know OSWorld feel at home, with direct-command steps so that a suite runs
 * in CI without any model.
 */

const seconds = z.number().positive();

export const SetupAction = z.union([
  z.object({ launch: z.string().min(1) }).strict(),
  z.object({ open: z.string().min(1) }).strict(),
  z.object({ execute: z.string().min(1) }).strict(),
  z
    .object({
      wait_for: z.union([
        z.object({ window: z.string().min(1), timeout: seconds.optional() }).strict(),
        z.object({ text: z.string().min(1), timeout: seconds.optional() }).strict(),
      ]),
    })
    .strict(),
  z.object({ window_size: z.tuple([z.number().int().positive(), z.number().int().positive()]) }).strict(),
  z.object({ sleep: seconds }).strict(),
]);
export type SetupAction = z.infer<typeof SetupAction>;

export const GETTERS = ['command', 'file', 'screen_text', 'window_title', 'clipboard'] as const;
export const COMPARISONS = ['exact', 'contains', 'regex', 'json', 'csv'] as const;
export type GetterName = (typeof GETTERS)[number];
export type ComparisonName = (typeof COMPARISONS)[number];

/** One check: exactly one getter (where the actual value comes from) and one comparison. */
export const Check = z
  .object({
    command: z.string().min(1).optional(),
    file: z.string().min(1).optional(),
    screen_text: z.literal(true).optional(),
    window_title: z.literal(true).optional(),
    clipboard: z.literal(true).optional(),
    exact: z.string().optional(),
    contains: z.string().optional(),
    regex: z.string().optional(),
    json: z.unknown().optional(),
    csv: z.union([z.string(), z.array(z.array(z.union([z.string(), z.number()])))]).optional(),
    /** Check that the comparison does NOT hold. */
    not: z.boolean().optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const getters = GETTERS.filter((g) => c[g] !== undefined);
    const comparisons = COMPARISONS.filter((k) => c[k] !== undefined);
    if (getters.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message: `a check needs exactly one getter (${GETTERS.join(', ')}), found ${getters.length ? getters.join(', ') : 'none'}`,
      });
    }
    if (comparisons.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message: `a check needs exactly one comparison (${COMPARISONS.join(', ')}), found ${comparisons.length ? comparisons.join(', ') : 'none'}`,
      });
    }
    if (c.regex !== undefined) {
      try {
        new RegExp(c.regex);
      } catch (err) {
        ctx.addIssue({
          code: 'custom',
          path: ['regex'],
          message: `not a valid regular expression: ${(err as Error).message}`,
        });
      }
    }
  });
export type Check = z.infer<typeof Check>;

export const Evaluator = z.union([
  z.object({ conj: z.enum(['and', 'or']).default('and'), checks: z.array(Check).min(1) }).strict(),
  Check,
]);
export type Evaluator = z.infer<typeof Evaluator>;

export const TaskSpec = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9_.:-]+$/, 'ids use letters, digits and _ . : - only'),
    title: z.string().optional(),
    /** A goal for the planner (needs models.planner in the config). */
    instruction: z.string().min(1).optional(),
    /** Direct-command lines, or a whole command block in one string. */
    steps: z.union([z.array(z.string().min(1)).min(1), z.string().min(1)]).optional(),
    /** A saved macro's name, or a path to its YAML (relative to the task file). */
    macro: z.string().min(1).optional(),
    /** The macro's parameters (`--param k=v` of `deskpilot replay`). */
    params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
    setup: z.array(SetupAction).default([]),
    evaluator: Evaluator.optional(),
    /** Seconds for setup, steps and evaluation together. */
    timeout: seconds.default(60),
    retries: z.number().int().nonnegative().optional(),
    tags: z.array(z.string().min(1)).default([]),
    /** The task is known to fail: failing counts as passing, passing is reported. */
    expected_failure: z.boolean().default(false),
  })
  .strict()
  .superRefine((t, ctx) => {
    const sources = [t.instruction, t.steps, t.macro].filter((s) => s !== undefined).length;
    if (sources === 0)
      ctx.addIssue({ code: 'custom', message: 'a task needs steps, a macro or an instruction' });
    if (t.steps !== undefined && t.macro !== undefined)
      ctx.addIssue({ code: 'custom', path: ['macro'], message: 'give steps or a macro, not both' });
  });
export type TaskSpec = z.infer<typeof TaskSpec>;

/** A task as the runner schedules it: the spec plus where it came from. */
export interface Task {
  spec: TaskSpec;
  /** The task file, as given (relative paths stay relative for reports). */
  file: string;
  /** Where the task starts in its file. */
  line: number;
  /** The first line of each step in the file, when steps is a list (for step errors). */
  stepLines: number[];
  /** Which run of the task this is (1-based), when --repeat-each runs each task several times. */
  repeat?: number;
}
