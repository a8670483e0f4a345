import type { AppContext } from '../app/context.js';
import { secretStoreFor } from '../cli/commands/secrets.js';
import { finishRecording, InputCapture, type InputEvent } from '../macros/record/index.js';
import { createScreenSource } from '../perception/index.js';
import { createOcr } from '../perception/ocr/index.js';
import { AppError, errorMessage, UserInputError } from '../shared/errors.js';
import type { MacroRecorded, MacroRecordingView } from '../shared/ipc-macros.js';
import type { ScreenSource } from '../shared/ports.js';
import { describeStep } from '../shared/steps.js';
import type { EventSink } from './service.js';

export interface RecorderOptions {
  app: AppContext;
  emit: EventSink;
  /** Takes the one-mouse lock; the result releases it. */
  hold(what: string): Promise<() => void>;
}

interface Active {
  name: string;
  file: string;
  description?: string;
  screen: ScreenSource;
  capture: InputCapture;
  release: () => void;
  stopping?: Promise<MacroRecorded>;
}

/** A press this close before the stop request is the click on Stop itself. */
export const STOP_CLICK_MS = 800;

/**
 * Drops the click on DeskPilot's Stop button from the end of a session. The cleanup drops input
 * in windows titled "DeskPilot…" (the window under the pointer), but the Stop button may be in a
 * window it cannot name: on another display, or a title the window manager had not set yet. The last
 * press is dropped when it came less than STOP_CLICK_MS before the stop, with nothing after it
 * but its release and pointer moves.
 */
export function dropStopClick(events: InputEvent[], stopAt: number, within = STOP_CLICK_MS): InputEvent[] {
  const last = events.findLastIndex((e) => e.type === 'down');
  const down = events[last];
  if (!down || stopAt - down.t > within) return events;
  if (events.slice(last + 1).some((e) => e.type !== 'up' && e.type !== 'move')) return events;
  return events.slice(0, last);
}

/**
 * The recorder behind the macros screen: the global input capture of src/macros/record on the
 * engine's display, as `deskpilot record` runs it. Stopped from the UI or with Ctrl+Alt+End;
 * input in DeskPilot's own windows (titles starting "DeskPilot") is dropped by the cleanup.
 */
export class MacroRecorder {
  private active: Active | undefined;

  constructor(private readonly o: RecorderOptions) {}

  /** Recording or processing, by name; null when idle. */
  state(): MacroRecordingView | null {
    const a = this.active;
    return a ? { state: a.stopping ? 'processing' : 'recording', name: a.name } : null;
  }

  async start(name: string, file: string, description?: string): Promise<void> {
    if (this.active) throw new AppError('RECORDING_ACTIVE', `already recording "${this.active.name}": stop it first`);
    const { app } = this.o;
    const release = await this.o.hold(`recording "${name}"`);
    let screen: ScreenSource | undefined;
    try {
      screen = await createScreenSource({ ...(app.display ? { display: app.display } : {}), logger: app.logger });
      const capture = await InputCapture.start({
        screen,
        ...(app.display ? { display: app.display } : {}),
        onStopHotkey: () => void this.stop('hotkey').catch(() => undefined),
        logger: app.logger,
      });
      this.active = { name, file, ...(description ? { description } : {}), screen, capture, release };
    } catch (err) {
      await screen?.dispose();
      release();
      throw err;
    }
    this.o.emit('macros.recording', { state: 'recording', name });
  }

  /** Stops, reads the screens (OCR) and writes the macro; a second call gets the same answer. */
  stop(by: 'app' | 'hotkey' = 'app'): Promise<MacroRecorded> {
    const a = this.active;
    if (!a) return Promise.reject(new AppError('NOT_RECORDING', 'nothing is being recorded: press Record first'));
    // Stopped with the keyboard, the last click is the person's own.
    a.stopping ??= this.finish(a, by === 'app' ? Date.now() : undefined);
    return a.stopping;
  }

  private async finish(a: Active, stopAt: number | undefined): Promise<MacroRecorded> {
    const { app, emit } = this.o;
    emit('macros.recording', { state: 'processing', name: a.name });
    const ocr = createOcr({ logger: app.logger });
    try {
      const captured = await a.capture.stop();
      // Events keep their indexes (frameBefore(i)): only the tail goes.
      const session = stopAt === undefined ? captured : { ...captured, events: dropStopClick(captured.events, stopAt) };
      const recording = await finishRecording(session, {
        name: a.name,
        file: a.file,
        ocr,
        secrets: await secretStoreFor(app, process.env),
        ...(a.description ? { description: a.description } : {}),
        logger: app.logger,
      });
      if (recording.steps.length === 0) throw new UserInputError('nothing was recorded: no clicks or keys outside DeskPilot', {}, { code: 'RECORDING_EMPTY' });
      // A stored version too, as `deskpilot record` does: the library lists it with its version.
      const record = (await app.store()).macros.put(a.name, recording.source);
      const recorded: MacroRecorded = {
        name: a.name,
        version: record.version,
        file: recording.file,
        steps: recording.steps.map((s) => describeStep(s.step)),
        secrets: recording.secrets,
        unstored: recording.unstored,
      };
      emit('macros.recording', { state: 'stopped', name: a.name, recorded });
      emit('macros.changed', { name: a.name });
      return recorded;
    } catch (err) {
      emit('macros.recording', { state: 'failed', name: a.name, message: errorMessage(err) });
      throw err;
    } finally {
      this.active = undefined;
      a.release();
      await Promise.allSettled([ocr.dispose(), a.screen.dispose()]);
    }
  }

  /** The app is closing: unhook without writing anything. */
  async dispose(): Promise<void> {
    const a = this.active;
    if (!a) return;
    if (a.stopping) {
      await a.stopping.catch(() => undefined);
      return;
    }
    this.active = undefined;
    await a.capture.stop().catch(() => undefined);
    await a.screen.dispose();
    a.release();
  }
}
