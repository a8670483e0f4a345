import { z } from 'zod';
import { Step } from '../../shared/steps.js';
import { Target } from '../../shared/target.js';

/**
 * The macro file as a person writes it (YAML): what `parseMacro` validates and `serializeMacro`
 * writes back. Steps stay in the form they were written (a command line, or a structured
 * object), so that a file read and written again keeps the person's wording.
 */

export const ParamType = z.enum(['string', 'number', 'boolean']);
export const MacroParam = z
  .object({
    type: ParamType.default('string'),
    default: z.union([z.string(), z.number(), z.boolean()]).optional(),
    description: z.string().optional(),
  })
  .strict();
export type MacroParam = z.infer<typeof MacroParam>;

/** What to do when a step fails: ask a person, skip it, fail the run, or try again n times. */
export const OnError = z.union([
  z.enum(['ask', 'skip', 'fail']),
  z.object({ retry: z.number().int().min(1).max(10) }).strict(),
], { error: 'on_error is ask, skip, fail or { retry: N } (N from 1 to 10)' });
export type OnError = z.infer<typeof OnError>;

export const Landmark = z.object({ text: z.string().min(1), dx: z.number(), dy: z.number() }).strict();
export type Landmark = z.infer<typeof Landmark>;

/** Evidence the recorder keeps so that replay finds the target when the UI moved. */
export const Anchors = z
  .object({
    /** OCR text under the point. */
    text: z.string().min(1).optional(),
    /** A crop in `<name>.crops/`. */
    template: z.string().min(1).optional(),
    /** Click offset from the top-left of the element's box, desktop px. */
    offset: z.tuple([z.number(), z.number()]).optional(),
    /** Neighbouring texts and the target's offset from each (target centre minus landmark centre). */
    landmarks: z.array(Landmark).optional(),
    /**
     * Where the target's centre (the one the text rung finds) was when recorded, desktop px:
     * replay reads a small area around it first and the whole screen only when that fails.
     */
    at: z.tuple([z.number(), z.number()]).optional(),
    window: z.string().optional(),
  })
  .strict();
export type Anchors = z.infer<typeof Anchors>;

/** A postcondition: text that appears, text that goes away, or any change on screen. */
export const Expect = z
  .object({
    text: z.string().min(1).optional(),
    gone: z.string().min(1).optional(),
    changed: z.literal(true).optional(),
    /** Seconds to wait for it (default 10). */
    within: z.number().positive().optional(),
  })
  .strict()
  .refine((e) => e.text !== undefined || e.gone !== undefined || e.changed !== undefined, {
    message: 'expect needs text, gone or changed: true',
  });
export type Expect = z.infer<typeof Expect>;

const actionFields = {
  id: z.string().min(1).optional(),
  note: z.string().optional(),
  irreversible: z.boolean().optional(),
  on_error: OnError.optional(),
  anchors: Anchors.optional(),
  expect: Expect.optional(),
};

export const DoStep = z.object({ do: z.string().min(1), ...actionFields }).strict();
export const StructuredStep = z.object({ step: Step, ...actionFields }).strict();

/** `if: { visible: "Error" }` takes text or a full target. */
export const Condition = z.union([
  z.object({ visible: z.union([z.string().min(1), Target]) }).strict(),
  z.object({ not_visible: z.union([z.string().min(1), Target]) }).strict(),
]);
export type Condition = z.infer<typeof Condition>;

export type MacroFileStep =
  | string
  | z.infer<typeof DoStep>
  | z.infer<typeof StructuredStep>
  | { if: Condition; then: MacroFileStep[]; else?: MacroFileStep[] }
  | { repeat: { for_each_row: string } | { times: number }; steps: MacroFileStep[] };

export const MacroFileStep: z.ZodType<MacroFileStep> = z.lazy(() =>
  z.union([
    z.string().min(1),
    DoStep,
    StructuredStep,
    z.object({ if: Condition, then: z.array(MacroFileStep), else: z.array(MacroFileStep).optional() }).strict(),
    z
      .object({
        repeat: z.union([
          z.object({ for_each_row: z.string().min(1) }).strict(),
          z.object({ times: z.number().int().min(1).max(10_000) }).strict(),
        ]),
        steps: z.array(MacroFileStep).min(1),
      })
      .strict(),
  ]),
);

export const MacroFile = z
  .object({
    name: z.string().min(1),
    description: z.string().optional(),
    params: z.record(z.string().regex(/^[A-Za-z_][\w-]*$/, 'a parameter name is letters, digits, _ and -'), MacroParam).optional(),
    steps: z.array(MacroFileStep).min(1, 'a macro needs at least one step'),
  })
  .strict();
export type MacroFile = z.infer<typeof MacroFile>;
