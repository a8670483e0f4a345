import type { EngineEvent } from './events.js';
import { z } from 'zod';
import type { SerializedError } from './errors.js';
import type { RunRecord, StepRecord } from './records.js';
import type { Step } from './steps.js';
import { macroChannels, type MacroEvents } from './ipc-macros.js';
import { settingsChannels } from './ipc-settings.js';
import { testChannels, type TestEvents } from './ipc-tests.js';

/**
 * The ONE contract between the UI and the Node side (ARCHITECTURE.md, IPC). The host serves it
 * over WebSocket, the Electron main process over ipcMain; both parse every input with these
 * schemas and answer `{ok: true, value} | {ok: false, error}`. The renderer imports this file,
 * so it holds zod and types only.
 */

export const ConfirmAnswerSchema = z.enum(['allow_once', 'allow_run', 'deny', 'take_over']);

const RunRef = z.object({ runId: z.string().min(1, 'runId is empty') }).strict();
const Nothing = z.object({}).strict();

/** What `models.check` answers: one line per check, in plain words (src/app/doctor/types.ts). */
export const CheckResultSchema = z.object({
  name: z.string(),
  status: z.enum(['ok', 'fail', 'skip']),
  detail: z.string(),
  hint: z.string().optional(),
});
export type CheckResultView = z.infer<typeof CheckResultSchema>;

/** The model endpoints as the settings panel shows them: never the key itself. */
export interface EndpointView {
  baseURL: string;
  model: string;
  hasKey: boolean;
}

export interface SettingsView {
  models: { planner: EndpointView | null; grounder: EndpointView | null };
  cascade: string[];
  confirmTimeoutMs: number;
  dataDir: string;
  display: string | null;
  /** UI preferences kept in the store under `ui.*`. */
  ui: Record<string, unknown>;
}

/** Keys the UI may write; anything else is refused rather than stored blindly. */
export const UiSettingKey = z.enum(['ui.dryRun', 'ui.historyLimit']);

export const channels = {
  /** Runs direct commands, or a goal through the planner when they do not parse. */
  'run.start': {
    input: z.object({ text: z.string().trim().min(1, 'type a command or a goal first'), dryRun: z.boolean().optional() }).strict(),
    output: z.object({ runId: z.string() }),
  },
  'run.pause': { input: RunRef, output: Nothing },
  'run.resume': { input: RunRef, output: Nothing },
  'run.stop': { input: RunRef, output: Nothing },
  'confirm.answer': {
    input: z.object({ requestId: z.string().min(1), answer: ConfirmAnswerSchema }).strict(),
    /** false when the request was already closed (answered, timed out, run stopped). */
    output: z.object({ accepted: z.boolean() }),
  },
  'runs.list': {
    input: z.object({ limit: z.number().int().min(1).max(500).optional() }).strict(),
    output: z.custom<RunRecord[]>(),
  },
  'runs.get': {
    input: z.object({ id: z.string().min(1) }).strict(),
    output: z.custom<{ run: RunRecord; steps: StepRecord[] }>(),
  },
  'models.check': { input: Nothing, output: z.array(CheckResultSchema) },
  'settings.get': { input: Nothing, output: z.custom<SettingsView>() },
  'settings.set': { input: z.object({ key: UiSettingKey, value: z.union([z.boolean(), z.number(), z.string()]) }).strict(), output: Nothing },
  ...settingsChannels,
  ...macroChannels,
  ...testChannels,
} as const;

export type Channel = keyof typeof channels;
export type ChannelInput<C extends Channel> = z.input<(typeof channels)[C]['input']>;
export type ChannelOutput<C extends Channel> = z.infer<(typeof channels)[C]['output']>;

export type IpcResult<T> = { ok: true; value: T } | { ok: false; error: SerializedError };

export function isChannel(name: unknown): name is Channel {
  return typeof name === 'string' && Object.hasOwn(channels, name);
}

/** The engine's progress events, as the UI receives them (one definition: src/shared/events.ts). */
export type EngineEventView = EngineEvent;

export interface ConfirmRequestView {
  requestId: string;
  runId: string;
  step: Step;
  description: string;
  reasons: string[];
  /** The annotated screenshot of the target when there is one, else the screen before the step. */
  screenshotId?: string;
  point?: { x: number; y: number };
}

export interface IpcEvents extends MacroEvents, TestEvents {
  engine: EngineEventView;
  'confirm.request': ConfirmRequestView;
  /** The card can go: answered elsewhere, timed out (a deny) or the run ended. */
  'confirm.closed': { requestId: string; answer: z.infer<typeof ConfirmAnswerSchema> };
}
export type IpcEventName = keyof IpcEvents;

/** The WebSocket frames of the host. Every frame from the UI carries the launch token. */
export type ClientFrame = { type: 'invoke'; id: number; token: string; channel: string; input: unknown };
export type ServerFrame =
  | { type: 'result'; id: number; result: IpcResult<unknown> }
  | { [E in IpcEventName]: { type: 'event'; event: E; payload: IpcEvents[E] } }[IpcEventName];

/** What the renderer talks to: the WebSocket client in a browser, the preload inside Electron. */
export interface DeskApi {
  invoke<C extends Channel>(channel: C, input: ChannelInput<C>): Promise<IpcResult<ChannelOutput<C>>>;
  on<E extends IpcEventName>(event: E, listener: (payload: IpcEvents[E]) => void): () => void;
}
