import { z } from 'zod';
import { Target, describeTarget } from './target.js';

/**
 * The one vocabulary of actions. The planner emits these, the command parser emits these,
 * the recorder writes these, replay and the test runner read these, storage keeps them as
 * JSON and the UI renders them. There is no second action type anywhere.
 */

export const Modifier = z.enum(['ctrl', 'shift', 'alt', 'meta']);
export type Modifier = z.infer<typeof Modifier>;

export const MouseButton = z.enum(['left', 'right', 'middle']);
export type MouseButton = z.infer<typeof MouseButton>;

const common = {
  /** Stable id within a macro or task, for reports and heal diffs. */
  id: z.string().min(1).optional(),
  /** What the person or the model said this step is for. */
  note: z.string().optional(),
  /** Marked by a person (macros) or the policy: never run on a low-confidence match. */
  irreversible: z.boolean().optional(),
  /** Per-step limit; the engine default applies when absent. */
  timeoutMs: z.number().int().positive().optional(),
};

const modifiers = z.array(Modifier).optional();

export const ClickStep = z
  .object({
    kind: z.literal('click'),
    target: Target,
    button: MouseButton.default('left'),
    /** 1 = single, 2 = double, 3 = triple. */
    count: z.number().int().min(1).max(3).default(1),
    modifiers,
    ...common,
  })
  .strict();
export const DoubleClickStep = z
  .object({ kind: z.literal('double_click'), target: Target, modifiers, ...common })
  .strict();
export const RightClickStep = z
  .object({ kind: z.literal('right_click'), target: Target, modifiers, ...common })
  .strict();
export const HoverStep = z.object({ kind: z.literal('hover'), target: Target, ...common }).strict();
export const DragStep = z
  .object({ kind: z.literal('drag'), from: Target, to: Target, modifiers, ...common })
  .strict();
export const ScrollStep = z
  .object({
    kind: z.literal('scroll'),
    direction: z.enum(['up', 'down', 'left', 'right']),
    /** Wheel notches. */
    amount: z.number().int().positive().default(3),
    target: Target.optional(),
    ...common,
  })
  .strict();
export const TypeStep = z
  .object({
    kind: z.literal('type'),
    /** May contain `{{secret:NAME}}` and `{{param}}` placeholders, resolved only by the driver. */
    text: z.string(),
    /** Click this first to focus it. */
    target: Target.optional(),
    /** Select all and replace the field's content. */
    clear: z.boolean().optional(),
    ...common,
  })
  .strict();
export const KeyStep = z
  .object({
    kind: z.literal('key'),
    /** A chord such as "ctrl+shift+t", "enter", "f5". */
    keys: z.string().min(1),
    /** Press the chord this many times. */
    repeat: z.number().int().positive().default(1),
    ...common,
  })
  .strict();
export const WaitStep = z
  .object({
    kind: z.literal('wait'),
    /** Wait until this is visible; without it, wait `ms` or until the screen settles. */
    for: Target.optional(),
    ms: z.number().int().nonnegative().optional(),
    ...common,
  })
  .strict();
export const AssertStep = z
  .object({
    kind: z.literal('assert'),
    condition: z.enum(['visible', 'not_visible']),
    target: Target,
    ...common,
  })
  .strict();
export const LaunchStep = z
  .object({
    kind: z.literal('launch'),
    /** A program name or path ("mousepad"), or a file/URL to open with the default app. */
    app: z.string().min(1),
    args: z.array(z.string()).default([]),
    ...common,
  })
  .strict();
export const DoneStep = z
  .object({
    kind: z.literal('done'),
    success: z.boolean().default(true),
    summary: z.string().optional(),
    /** The agent is stuck and hands over to the person with this question. */
    askUser: z.string().optional(),
    ...common,
  })
  .strict();

export const Step = z.discriminatedUnion('kind', [
  ClickStep,
  DoubleClickStep,
  RightClickStep,
  HoverStep,
  DragStep,
  ScrollStep,
  TypeStep,
  KeyStep,
  WaitStep,
  AssertStep,
  LaunchStep,
  DoneStep,
]);
export type Step = z.infer<typeof Step>;
export type StepInput = z.input<typeof Step>;
export type StepKind = Step['kind'];

/** The targets a step acts on, in the order they are resolved. */
export function stepTargets(step: Step): Target[] {
  switch (step.kind) {
    case 'drag':
      return [step.from, step.to];
    case 'scroll':
    case 'type':
      return step.target ? [step.target] : [];
    case 'wait':
      return step.for ? [step.for] : [];
    case 'key':
    case 'launch':
    case 'done':
      return [];
    default:
      return [step.target];
  }
}

/** One line a person reads in the chat, a report or a log. */
export function describeStep(step: Step): string {
  switch (step.kind) {
    case 'click': {
      const what = step.count === 3 ? 'triple-click' : step.count === 2 ? 'double-click' : 'click';
      const verb = step.button === 'left' ? what : step.count === 1 ? `${step.button}-click` : `${step.button} ${what}`;
      const mods = step.modifiers?.length ? step.modifiers.join('+') + '+' : '';
      return `${mods}${verb} ${describeTarget(step.target)}`;
    }
    case 'double_click':
      return `double-click ${describeTarget(step.target)}`;
    case 'right_click':
      return `right-click ${describeTarget(step.target)}`;
    case 'hover':
      return `hover ${describeTarget(step.target)}`;
    case 'drag':
      return `drag ${describeTarget(step.from)} to ${describeTarget(step.to)}`;
    case 'scroll':
      return `scroll ${step.direction} ${step.amount}${step.target ? ` in ${describeTarget(step.target)}` : ''}`;
    case 'type':
      return `type ${JSON.stringify(step.text)}${step.target ? ` into ${describeTarget(step.target)}` : ''}`;
    case 'key':
      return `press ${step.keys}${step.repeat > 1 ? ` x${step.repeat}` : ''}`;
    case 'wait':
      return step.for
        ? `wait for ${describeTarget(step.for)}${step.timeoutMs ? ` ${step.timeoutMs / 1000}s` : ''}`
        : `wait ${step.ms ?? 0}ms`;
    case 'assert':
      return `assert ${step.condition.replace('_', ' ')} ${describeTarget(step.target)}`;
    case 'launch':
      return `open ${JSON.stringify(step.app)}${step.args.length ? ' ' + step.args.join(' ') : ''}`;
    case 'done':
      if (step.askUser) return `ask the user: ${step.askUser}`;
      return step.success ? `done${step.summary ? `: ${step.summary}` : ''}` : `give up: ${step.summary ?? ''}`;
  }
}
