import type { Box, Point } from './geometry.js';
import type { MouseButton, Modifier, Step } from './steps.js';
import type { Target } from './target.js';
import type {
  AuditRecord,
  MacroRecord,
  Resolution,
  RunRecord,
  RunSource,
  RunStatus,
  ScreenshotRecord,
  StepRecord,
  TaskRecord,
} from './records.js';
import type { SerializedError } from './errors.js';

/**
 * The ports of the engine. Each has a real implementation and a fake (test/fakes), and one
 * contract suite runs against both.
 */

// ---- Eyes -------------------------------------------------------------------------------

export interface Display {
  id: string;
  name: string;
  /** Bounds in the virtual desktop, logical (input) pixels. */
  bounds: Box;
  /** Physical screenshot pixels per logical pixel (1, 1.25, 1.5, 2, ...). */
  scaleFactor: number;
  primary: boolean;
}

/** A monitor as the window system lists it (RandR, xrandr): a Display before ids and scale are given. */
export type Monitor = Pick<Display, 'name' | 'bounds' | 'primary'>;

/** A captured image: raw RGBA, top-left origin, in the display's physical pixels. */
export interface Frame {
  displayId: string;
  width: number;
  height: number;
  /** RGBA, 4 bytes per pixel, row-major, no padding. */
  data: Uint8Array;
  /** The desktop (logical) area this frame shows. */
  desktopBounds: Box;
  scaleFactor: number;
  capturedAt: number;
}

export interface CaptureOptions {
  displayId?: string;
  /** Desktop (logical) region; the whole display when absent. */
  region?: Box;
}

export interface ScreenSource {
  listDisplays(signal?: AbortSignal): Promise<Display[]>;
  capture(options?: CaptureOptions, signal?: AbortSignal): Promise<Frame>;
  dispose(): Promise<void>;
}

// ---- Hands ------------------------------------------------------------------------------

export interface ClickOptions {
  button?: MouseButton;
  count?: 1 | 2 | 3;
  modifiers?: Modifier[];
  /**
   * The click is to put the keyboard focus there (typing follows): on X11 the driver waits, at
   * most 1 s, until the window under the pointer has the keyboard focus. A busy window
   * manager gives focus on click late, and keys sent before then go to the window that had it.
   */
  focus?: boolean;
}

/** All points are desktop (logical) coordinates. */
export interface InputDriver {
  move(to: Point, signal?: AbortSignal): Promise<void>;
  click(at: Point, options?: ClickOptions, signal?: AbortSignal): Promise<void>;
  drag(from: Point, to: Point, options?: { modifiers?: Modifier[] }, signal?: AbortSignal): Promise<void>;
  scroll(direction: 'up' | 'down' | 'left' | 'right', amount: number, at?: Point, signal?: AbortSignal): Promise<void>;
  type(text: string, signal?: AbortSignal): Promise<void>;
  /** A chord such as "ctrl+shift+t"; pressed `repeat` times. */
  key(chord: string, repeat?: number, signal?: AbortSignal): Promise<void>;
  dispose(): Promise<void>;
}

// ---- Understanding ----------------------------------------------------------------------

export interface UiElement {
  id: string;
  kind: 'text' | 'icon' | 'field' | 'button' | 'checkbox' | 'other';
  box: Box;
  text?: string;
  confidence: number;
}

/** What the engine saw at one moment; perception is filled lazily and cached. */
export interface Observation {
  frame: Frame;
  displays: Display[];
  elements?: UiElement[];
  windowTitle?: string;
  screenshotId?: string;
}

export interface Location extends Resolution {
  alternatives: Resolution[];
}

export interface Grounder {
  readonly name: string;
  locate(observation: Observation, target: Target, signal?: AbortSignal): Promise<Location>;
}

// ---- Thinking ---------------------------------------------------------------------------

export type ChatContent =
  | { type: 'text'; text: string }
  | { type: 'image'; /** PNG or JPEG bytes, base64 */ base64: string; mime: 'image/png' | 'image/jpeg' };

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string | ChatContent[];
}

export interface ChatRequest {
  role: 'planner' | 'grounder';
  messages: ChatMessage[];
  json?: boolean;
  maxTokens?: number;
  temperature?: number;
}

export interface ChatResponse {
  text: string;
  model: string;
  latencyMs: number;
  usage: { promptTokens: number; completionTokens: number };
}

export interface ModelClient {
  chat(request: ChatRequest, signal?: AbortSignal): Promise<ChatResponse>;
}

export interface StepContext {
  runId: string;
  observation: Observation;
  history: StepRecord[];
  /** Set when the previous step failed or had no effect. */
  lastError?: SerializedError;
  /**
   * Looks again once the screen has been quiet for a moment (an app may repaint late on a busy
   * machine): a new observation, stored like the first, when the screen changed since
   * `observation`, else `observation` itself. The step that follows is recorded against the newer one.
   */
  refresh?: (signal?: AbortSignal) => Promise<Observation>;
}

export interface ProposedStep {
  step: Step;
  thought?: string;
}

export interface StepSource {
  /** The next step, or null when the source has nothing more to do. */
  next(context: StepContext, signal?: AbortSignal): Promise<ProposedStep | null>;
}

// ---- People and secrets -----------------------------------------------------------------

export type ConfirmAnswer = 'allow_once' | 'allow_run' | 'deny' | 'take_over';

export interface ConfirmRequest {
  runId: string;
  step: Step;
  /** Why it needs a person: the policy classes that matched, in words. */
  reasons: string[];
  screenshotId?: string;
  point?: Point;
}

export interface Confirmer {
  /** Who answers, for the audit log ("user (terminal)", "headless policy deny", ...). */
  readonly answeredBy?: string;
  confirm(request: ConfirmRequest, signal?: AbortSignal): Promise<ConfirmAnswer>;
}

export interface SecretStore {
  get(name: string): Promise<string | undefined>;
  set(name: string, value: string): Promise<void>;
  list(): Promise<string[]>;
  remove(name: string): Promise<boolean>;
}

// ---- Memory -----------------------------------------------------------------------------

export interface NewRun {
  source: RunSource;
  title: string;
  meta?: Record<string, unknown>;
}

export interface NewStep {
  runId: string;
  index: number;
  step: Step;
  thought?: string | null;
  beforeScreenshotId?: string | null;
}

export interface StepUpdate {
  resolution?: Resolution | null;
  outcome?: StepRecord['outcome'];
  error?: SerializedError | null;
  timings?: Record<string, number>;
  afterScreenshotId?: string | null;
}

export interface Store {
  readonly runs: {
    create(run: NewRun): RunRecord;
    get(id: string): RunRecord | undefined;
    list(options?: { limit?: number; status?: RunStatus }): RunRecord[];
    finish(id: string, status: Exclude<RunStatus, 'running'>, error?: SerializedError | null): void;
  };
  readonly steps: {
    add(step: NewStep): StepRecord;
    addMany(steps: NewStep[]): StepRecord[];
    update(id: string, update: StepUpdate): void;
    listForRun(runId: string): StepRecord[];
  };
  readonly screenshots: {
    /** Writes the encoded image under the data dir and records it. */
    save(image: Uint8Array, meta: { runId?: string | null; width: number; height: number; ext: 'png' | 'jpg' }): ScreenshotRecord;
    get(id: string): ScreenshotRecord | undefined;
    absolutePath(record: ScreenshotRecord): string;
  };
  readonly macros: {
    put(name: string, source: string): MacroRecord;
    get(name: string): MacroRecord | undefined;
    list(): MacroRecord[];
    remove(name: string): boolean;
  };
  readonly tasks: {
    put(name: string, source: string): TaskRecord;
    get(name: string): TaskRecord | undefined;
    list(): TaskRecord[];
  };
  readonly settings: {
    get<T = unknown>(key: string): T | undefined;
    set(key: string, value: unknown): void;
  };
  readonly audit: {
    append(entry: Omit<AuditRecord, 'seq' | 'at'>): AuditRecord;
    list(options?: { runId?: string }): AuditRecord[];
  };
  close(): void;
}
