import { z } from 'zod';

/**
 * The macros screen's part of the IPC contract (spread into `channels` in ipc.ts): list, show,
 * edit, record, replay and heal macros. zod schemas and types only (the renderer imports it).
 */

/** A library name (the file's stem): the library itself checks the characters (src/macros/library.ts). */
const MacroName = z.string().trim().min(1, 'the macro name is empty').max(120, 'a macro name is at most 120 characters');
const ByName = z.object({ name: MacroName }).strict();
const Nothing = z.object({}).strict();

export const MacroParamType = z.enum(['string', 'number', 'boolean']);
export type MacroParamType = z.infer<typeof MacroParamType>;
export const MacroParamValue = z.union([z.string(), z.number(), z.boolean()]);
export type MacroParamValue = z.infer<typeof MacroParamValue>;

export interface MacroParamView {
  name: string;
  type: MacroParamType;
  default?: MacroParamValue;
  description?: string;
}

export interface MacroSummary {
  name: string;
  file: string;
  /** The `name:` written in the file (may differ from the library name). */
  title?: string;
  description?: string;
  params: MacroParamView[];
  /** Actions in the macro (if/repeat bodies counted). */
  steps: number;
  version?: number;
  updatedAt?: string;
  /** Repairs from replays, waiting for review. */
  repairs: number;
  /** When the file does not validate: file:line:col and what is wrong. */
  error?: string;
}

/**
 * One top-level step as the form edits it: a command line (bare, or the `do:` of a mapping whose
 * other fields — anchors, expect… — are kept), or anything else kept exactly as written.
 */
export type MacroStepView =
  | { kind: 'command'; command: string; notes: string[] }
  | { kind: 'other'; summary: string; notes: string[] };

export interface MacroDetail extends MacroSummary {
  /** The YAML as saved. */
  text: string;
  /** Empty when the file does not validate (see `error`): only the YAML editor can fix it. */
  stepViews: MacroStepView[];
}

/**
 * A form step: `from` is the index of the file's step it was (kept as written, comments and
 * all); `command` is its command line (a mapping keeps its other fields, its `do:` replaced).
 * A new step has a command and no `from`.
 */
export const MacroFormStep = z
  .object({ from: z.number().int().min(0).optional(), command: z.string().optional() })
  .strict()
  .refine((s) => s.command !== undefined || s.from !== undefined, 'a step needs a command or the index of the step it was');

export const MacroFormParam = z
  .object({
    name: z.string().trim().regex(/^[A-Za-z_][\w-]*$/, 'a parameter name is letters, digits, _ and - (starting with a letter or _)'),
    type: MacroParamType,
    default: MacroParamValue.optional(),
    description: z.string().optional(),
  })
  .strict();

export const MacroForm = z
  .object({
    description: z.string().optional(),
    params: z.array(MacroFormParam).max(100),
    steps: z.array(MacroFormStep).max(2000),
  })
  .strict();
export type MacroFormInput = z.input<typeof MacroForm>;

export interface MacroSaved {
  name: string;
  version: number;
  file: string;
  /** The YAML that was saved. */
  text: string;
}

export interface MacroRecorded {
  name: string;
  version: number;
  file: string;
  /** Each step in words. */
  steps: string[];
  /** Typed secrets, as {{secret:NAME}} placeholders; `unstored` could not be kept. */
  secrets: string[];
  unstored: string[];
}

export interface MacroHealView {
  /** A unified diff of the macro file; empty when no repair is waiting. */
  diff: string;
  repairs: { step: string; reason: string }[];
}

export const macroChannels = {
  'macros.list': { input: Nothing, output: z.custom<MacroSummary[]>() },
  'macros.get': { input: ByName, output: z.custom<MacroDetail>() },
  /** Validates and saves as a new version; a bad text throws `name.yaml:line:col: …` and changes nothing. */
  'macros.saveYaml': {
    input: z.object({ name: MacroName, yaml: z.string().max(1_000_000, 'a macro file is at most 1 MB') }).strict(),
    output: z.custom<MacroSaved>(),
  },
  /** The form's steps and params written as YAML, then saved as `macros.saveYaml` does. */
  'macros.saveForm': { input: z.object({ name: MacroName, form: MacroForm }).strict(), output: z.custom<MacroSaved>() },
  /** Starts the recorder on the engine's display (takes the mouse lock until stopped). */
  'macros.record.start': {
    input: z.object({ name: MacroName, description: z.string().max(1000).optional() }).strict(),
    output: z.object({ name: z.string(), file: z.string() }),
  },
  /** What the recorder is doing now (null: idle), for a window opened while it records. */
  'macros.record.state': { input: Nothing, output: z.custom<MacroRecordingView | null>() },
  /** Stops the recorder and writes the macro; an error when nothing was recorded. */
  'macros.record.stop': { input: Nothing, output: z.custom<MacroRecorded>() },
  /** Replays on the engine, one run at a time with the chat; progress comes as `engine` events. */
  'macros.replay': {
    input: z
      .object({
        name: MacroName,
        params: z.record(z.string(), MacroParamValue).default({}),
        dryRun: z.boolean().optional(),
      })
      .strict(),
    output: z.object({ runId: z.string() }),
  },
  'macros.heal.get': { input: ByName, output: z.custom<MacroHealView>() },
  /** Writes the waiting repairs (validated, as a new version) and clears them. */
  'macros.heal.apply': { input: ByName, output: z.custom<MacroSaved>() },
  'macros.heal.discard': { input: ByName, output: Nothing },
} as const;

export interface MacroRecordingView {
  state: 'recording' | 'processing' | 'stopped' | 'failed';
  name: string;
  message?: string;
  recorded?: MacroRecorded;
}

/** Events the macros screen receives (merged into IpcEvents in ipc.ts). */
export interface MacroEvents {
  'macros.recording': MacroRecordingView;
  /** A macro was saved, recorded, or got repairs waiting: lists refresh. */
  'macros.changed': { name: string };
}
