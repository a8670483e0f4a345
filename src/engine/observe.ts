import { annotate } from '../perception/annotate.js';
import { diffFrames } from '../perception/diff.js';
import { packedBgraOf } from '../perception/frame.js';
import { encodePng } from '../perception/image.js';
import { waitForSettle } from '../perception/settle.js';
import { desktopToScreen } from '../shared/coords.js';
import type { Display, Frame, Observation, ScreenSource, Store } from '../shared/ports.js';
import type { Resolution } from '../shared/records.js';

/**
 * How long a display layout is reused between steps (ms). Asking for it runs xrandr, a few
 * hundred ms per step on a small busy machine; a captured frame that does not fit the layout
 * asks again at once.
 */
const DISPLAYS_FRESH_MS = 5000;

export interface ActiveWindow {
  title?: string;
  app?: string;
}

/** Captures the screen, keeps the screenshot in storage, and draws resolved targets on it. */
export class Observer {
  /** Secret values typed in this run: stored screenshots are masked where they show. */
  readonly secretValues: string[] = [];
  private layout: { displays: Display[]; at: number } | undefined;
  /** The last stored screenshot: its pixels as captured (before masking) and how many secrets were masked. */
  private lastSaved: { runId: string; id: string; pixels: Uint8Array; width: number; height: number; masks: number } | undefined;

  constructor(
    private readonly screen: ScreenSource,
    private readonly store: Store,
    private readonly activeWindow?: () => Promise<ActiveWindow | undefined>,
    private readonly displayId?: string,
    private readonly maskFrame?: (frame: Frame, values: string[]) => Promise<Frame>,
  ) {}

  private async masked(frame: Frame): Promise<Frame> {
    return this.secretValues.length && this.maskFrame ? this.maskFrame(frame, this.secretValues) : frame;
  }

  /** The screen now (or `captured`, a frame just grabbed), stored, with the display layout and the active window. */
  async observe(runId: string, signal?: AbortSignal, captured?: Frame): Promise<Observation & { app?: string }> {
    const known = this.layout && performance.now() - this.layout.at < DISPLAYS_FRESH_MS ? this.layout.displays : undefined;
    const [frame, listed, win] = await Promise.all([
      captured ?? this.screen.capture(this.displayOption, signal),
      known ?? this.displays(signal),
      this.activeWindow?.().catch(() => undefined),
    ]);
    const displays = known && !fits(frame, known) ? await this.displays(signal) : listed;
    const screenshotId = await this.save(runId, frame);
    return {
      frame,
      displays,
      screenshotId,
      ...(win?.title ? { windowTitle: win.title } : {}),
      ...(win?.app ? { app: win.app } : {}),
    };
  }

  /**
   * A second look, once the screen has been still for `quietMs` (an app may repaint a frame or
   * two late on a busy machine): `last` when the screen still shows the same, else a new stored
   * observation of the settled screen.
   */
  async lookAgain<T extends Observation>(runId: string, last: T, quietMs: number, signal?: AbortSignal): Promise<T | (Observation & { app?: string })> {
    const quiet = await waitForSettle(this.screen, { timeoutMs: 1000, quietMs, intervalMs: 25, ...(signal ? { signal } : {}), ...this.displayOption });
    return diffFrames(last.frame, quiet.frame).changed ? this.observe(runId, signal, quiet.frame) : last;
  }

  private get displayOption(): { displayId?: string } {
    return this.displayId ? { displayId: this.displayId } : {};
  }

  private async displays(signal?: AbortSignal): Promise<Display[]> {
    const displays = await this.screen.listDisplays(signal);
    this.layout = { displays, at: performance.now() };
    return displays;
  }

  /**
   * Stores the screenshot, unless it shows exactly what this run's last one showed: the screen
   * after step N is, most of the time, the screen before step N+1, and one PNG then serves both
   * (about half of a run's encodes and files).
   */
  async save(runId: string, shown: Frame): Promise<string> {
    const pixels = packedBgraOf(shown) ?? shown.data;
    const last = this.lastSaved;
    if (
      last &&
      last.runId === runId &&
      last.masks === this.secretValues.length &&
      last.width === shown.width &&
      last.height === shown.height &&
      (last.pixels === pixels || Buffer.from(last.pixels.buffer, last.pixels.byteOffset, last.pixels.byteLength).equals(pixels))
    )
      return last.id;
    const frame = await this.masked(shown);
    const png = await encodePng(frame, { compressionLevel: 1 });
    const id = this.store.screenshots.save(png, { runId, width: frame.width, height: frame.height, ext: 'png' }).id;
    this.lastSaved = { runId, id, pixels, width: shown.width, height: shown.height, masks: this.secretValues.length };
    return id;
  }

  /** The screenshot with the target's box and click point drawn on it, for the UI and reports. */
  async annotated(runId: string, shown: Frame, resolutions: Resolution[]): Promise<string> {
    const frame = await this.masked(shown);
    const toScreen = (x: number, y: number) => desktopToScreen({ space: 'desktop', x, y }, frame);
    const points = resolutions.map((r) => {
      const p = toScreen(r.point.x, r.point.y);
      return { x: p.x, y: p.y };
    });
    const boxes = resolutions.flatMap((r) => {
      if (!r.box) return [];
      const a = toScreen(r.box.x, r.box.y);
      const b = toScreen(r.box.x + r.box.width, r.box.y + r.box.height);
      return [{ x: a.x, y: a.y, width: b.x - a.x, height: b.y - a.y, label: `${r.source} ${Math.round(r.confidence * 100)}%` }];
    });
    const png = await annotate(frame, { points, boxes });
    return this.store.screenshots.save(png, { runId, width: frame.width, height: frame.height, ext: 'png' }).id;
  }
}

/** Whether the frame shows one of the displays as they were laid out (else the layout changed). */
function fits(frame: Frame, displays: Display[]): boolean {
  const d = displays.find((x) => x.id === frame.displayId);
  if (!d) return false;
  const b = frame.desktopBounds;
  return b.x >= d.bounds.x && b.y >= d.bounds.y && b.x + b.width <= d.bounds.x + d.bounds.width && b.y + b.height <= d.bounds.y + d.bounds.height;
}
