import { annotate } from '../perception/annotate.js';
import { encodePng } from '../perception/image.js';
import { desktopToScreen } from '../shared/coords.js';
import type { Frame, Observation, ScreenSource, Store } from '../shared/ports.js';
import type { Resolution } from '../shared/records.js';

export interface ActiveWindow {
  title?: string;
  app?: string;
}

/** Captures the screen, keeps the screenshot in storage, and draws resolved targets on it. */
export class Observer {
  /** Secret values typed in this run: stored screenshots are masked where they show. */
  readonly secretValues: string[] = [];

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

  async observe(runId: string, signal?: AbortSignal, save = true): Promise<Observation & { app?: string }> {
    const [frame, displays, win] = await Promise.all([
      this.screen.capture(this.displayId ? { displayId: this.displayId } : {}, signal),
      this.screen.listDisplays(signal),
      this.activeWindow?.().catch(() => undefined),
    ]);
    const screenshotId = save ? await this.save(runId, frame) : undefined;
    return {
      frame,
      displays,
      ...(screenshotId ? { screenshotId } : {}),
      ...(win?.title ? { windowTitle: win.title } : {}),
      ...(win?.app ? { app: win.app } : {}),
    };
  }

  async save(runId: string, shown: Frame): Promise<string> {
    const frame = await this.masked(shown);
    const png = await encodePng(frame, { compressionLevel: 1 });
    return this.store.screenshots.save(png, { runId, width: frame.width, height: frame.height, ext: 'png' }).id;
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
