import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { Policy } from '../../../src/actions/policy/policy.js';
import { Engine } from '../../../src/engine/engine.js';
import type { EngineEvent } from '../../../src/engine/events.js';
import { ListStepSource } from '../../../src/engine/sources.js';
import { TextGrounder } from '../../../src/grounding/text.js';
import type { OcrLine } from '../../../src/perception/ocr/types.js';
import { parseCommands } from '../../../src/planner/commands/parse.js';
import { nullLogger } from '../../../src/shared/logger.js';
import type { ConfirmAnswer, ConfirmRequest, StepSource, Store } from '../../../src/shared/ports.js';
import { openStore } from '../../../src/storage/index.js';
import { FixtureScreenSource, solidFrame } from '../../fakes/fixture-screen.js';
import { RecordingInputDriver } from '../../fakes/recording-input.js';

function line(text: string, x: number, y: number): OcrLine {
  let cx = x;
  const words = text.split(' ').map((w) => {
    const box = { x: cx, y, width: w.length * 10, height: 20 };
    cx += (w.length + 1) * 10;
    return { text: w, box, confidence: 0.99 };
  });
  return { text, box: { x, y, width: text.length * 10, height: 20 }, confidence: 0.99, words };
}

const dirs: string[] = [];
const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup(options: { answers?: Array<ConfirmAnswer | 'never'>; confirmTimeoutMs?: number; secrets?: Record<string, string> } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'deskpilot-engine-'));
  dirs.push(dataDir);
  const store = openStore({ dataDir });
  stores.push(store);
  // A 2x display whose desktop origin is x=100: frame pixels are halved and shifted.
  const screen = FixtureScreenSource.solid(800, 600, [250, 250, 250], 2, { x: 100, y: 0 });
  const input = new RecordingInputDriver();
  const lines = [line('Name', 40, 100), line('Save', 400, 500), line('Delete', 600, 500)];
  const asked: ConfirmRequest[] = [];
  const answers = [...(options.answers ?? [])];
  const events: EngineEvent[] = [];
  const engine = new Engine({
    screen,
    input,
    grounder: new TextGrounder(() => Promise.resolve({ lines })),
    store,
    policy: Policy.load(),
    confirmer: {
      confirm: (req) => {
        asked.push(req);
        const a = answers.shift() ?? 'deny';
        return a === 'never' ? new Promise(() => undefined) : Promise.resolve(a);
      },
    },
    secrets: {
      get: (n) => Promise.resolve(options.secrets?.[n]),
      set: () => Promise.resolve(),
      list: () => Promise.resolve(Object.keys(options.secrets ?? {})),
      remove: () => Promise.resolve(false),
    },
    logger: nullLogger,
    config: {
      engine: { maxSteps: 20, stepTimeoutMs: 10_000, runTimeoutMs: 60_000 },
      safety: { confirmTimeoutMs: options.confirmTimeoutMs ?? 2000, allowApps: [] },
    },
    listener: (e) => events.push(e),
  });
  const run = (commands: string) =>
    engine.run({ source: new ListStepSource(parseCommands(commands).map((c) => c.step)), title: commands, kind: 'command' });
  return { engine, run, input, store, asked, events, screen };
}

describe('engine with direct commands', () => {
  it('acts at the grounded desktop points and records the run, its steps and screenshots', async () => {
    const { run, input, store, events } = setup();
    const r = await run('click "Save"; type "Ada" into "Name"; press ctrl+s');
    expect(r.status).toBe('succeeded');
    // "Save" frame box 400..440 x 500..520 -> desktop (100 + 210, 255)
    expect(input.calls[0]).toMatchObject({ op: 'click', at: { x: 310, y: 255 }, button: 'left', count: 1 });
    expect(input.calls.map((c) => c.op)).toEqual(['click', 'click', 'type', 'key']);
    expect(input.calls[2]).toMatchObject({ op: 'type', text: 'Ada' });
    const steps = store.steps.listForRun(r.run.id);
    expect(steps.map((s) => s.outcome)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(steps[0]!.resolution).toMatchObject({ source: 'text', text: 'Save' });
    expect(steps[0]!.beforeScreenshotId).toBeTruthy();
    expect(steps[0]!.afterScreenshotId).toBeTruthy();
    expect(store.runs.get(r.run.id)!.status).toBe('succeeded');
    expect(events.map((e) => e.type)).toContain('target_resolved');
    expect(events.at(-1)).toMatchObject({ type: 'run_finished', status: 'succeeded', steps: 3 });
  });

  it('stores one screenshot for the screen after a step and before the next when nothing changed', async () => {
    const { run, input, store, screen } = setup();
    // The second click repaints the screen: the screenshots after it are new ones.
    const click = input.click.bind(input);
    input.click = async (...args: Parameters<typeof click>) => {
      await click(...args);
      if (input.calls.length === 2) screen.show(solidFrame(800, 600, [200, 200, 200], 2, { x: 100, y: 0 }));
    };
    const r = await run('click "Save"; click "Save"; click "Save"');
    expect(r.status).toBe('succeeded');
    const steps = store.steps.listForRun(r.run.id);
    expect(steps[1]!.beforeScreenshotId).toBe(steps[0]!.afterScreenshotId);
    expect(steps[0]!.beforeScreenshotId).toBe(steps[0]!.afterScreenshotId);
    expect(steps[1]!.afterScreenshotId).not.toBe(steps[1]!.beforeScreenshotId);
    expect(steps[2]!.beforeScreenshotId).toBe(steps[1]!.afterScreenshotId);
  });

  it('types into a field only once the screen shows the click landed, and its after-shot shows the typing', async () => {
    const { run, input, screen, store } = setup();
    // The app paints the clicked field focused a moment after the click, as a busy page does,
    // and the typed text a moment after the keys.
    const later = (rgb: [number, number, number], then: () => void) =>
      setTimeout(() => (screen.show(solidFrame(800, 600, rgb, 2, { x: 100, y: 0 })), then()), 15);
    let focusShown = false;
    const click = input.click.bind(input);
    input.click = async (...args: Parameters<typeof click>) => {
      await click(...args);
      later([220, 230, 250], () => (focusShown = true));
    };
    const typedAfterFocus: boolean[] = [];
    const type = input.type.bind(input);
    input.type = async (...args: Parameters<typeof type>) => {
      typedAfterFocus.push(focusShown);
      await type(...args);
      later([10, 20, 30], () => undefined);
    };
    const r = await run('type "Ada" into "Name"');
    expect(r.status).toBe('succeeded');
    expect(input.calls.map((c) => c.op)).toEqual(['click', 'type']);
    expect(typedAfterFocus).toEqual([true]);
    const after = store.screenshots.get(store.steps.listForRun(r.run.id)[0]!.afterScreenshotId!)!;
    const { data } = await sharp(store.screenshots.absolutePath(after)).raw().toBuffer({ resolveWithObject: true });
    expect([...data.subarray(0, 3)]).toEqual([10, 20, 30]);
  });

  it('stops at a target that is not on screen and keeps the history', async () => {
    const { run, input, store } = setup();
    const r = await run('click "Save"; click "Publish report"; click "Save"');
    expect(r.status).toBe('failed');
    expect(r.error?.code).toBe('GROUNDING_NOT_FOUND');
    expect(input.calls).toHaveLength(1);
    expect(store.steps.listForRun(r.run.id).map((s) => s.outcome)).toEqual(['succeeded', 'failed']);
  });

  it('asks before a sensitive step: deny stops it, allow runs it, and both are audited', async () => {
    const denied = setup({ answers: ['deny'] });
    const r1 = await denied.run('click "Delete"');
    expect(denied.asked[0]?.reasons.join()).toMatch(/deletes/);
    expect(denied.input.calls).toHaveLength(0);
    expect(r1.status).toBe('failed');
    expect(r1.steps[0]!.outcome).toBe('denied');
    expect(denied.store.audit.list({ runId: r1.run.id })[0]).toMatchObject({ decision: 'denied', actor: 'user' });

    const allowed = setup({ answers: ['allow_once'] });
    const r2 = await allowed.run('click "Delete"');
    expect(r2.status).toBe('succeeded');
    expect(allowed.input.calls).toHaveLength(1);
    expect(allowed.store.audit.list({ runId: r2.run.id })[0]).toMatchObject({ decision: 'confirmed', actor: 'user' });
  });

  it('treats an unanswered confirmation as a deny', async () => {
    const s = setup({ answers: ['never'], confirmTimeoutMs: 200 });
    const r = await s.run('click "Delete"');
    expect(s.input.calls).toHaveLength(0);
    expect(r.steps[0]!.outcome).toBe('denied');
    expect(r.error?.message).toMatch(/no confirmation within/);
    expect(s.store.audit.list({ runId: r.run.id })[0]).toMatchObject({ decision: 'denied', actor: 'timeout' });
  });

  it('types secret values the model never sees, after confirmation, and stores only the placeholder', async () => {
    const s = setup({ answers: ['allow_once'], secrets: { PIN: '4711-secret' } });
    const r = await s.run('type "{{secret:PIN}}" into "Name"');
    expect(r.status).toBe('succeeded');
    expect(s.input.calls.find((c) => c.op === 'type')).toMatchObject({ text: '4711-secret' });
    expect(JSON.stringify(s.store.steps.listForRun(r.run.id))).not.toContain('4711-secret');
  });

  it('gives a step source a second look at the screen, and records the next step against the newer screenshot', async () => {
    const { engine, store, screen } = setup();
    const looks: Array<{ same: boolean; screenshotId?: string }> = [];
    const click = parseCommands('click "Save"')[0]!.step;
    const source: StepSource = {
      next: async (ctx) => {
        if (ctx.history.length === 0) return { step: click };
        if (ctx.history.length === 1) {
          // A still screen: the same observation comes back.
          const still = await ctx.refresh!();
          looks.push({ same: still === ctx.observation });
          // The app repaints late: the second look is a new, stored screenshot.
          screen.show(solidFrame(800, 600, [200, 200, 200], 2, { x: 100, y: 0 }));
          const fresh = await ctx.refresh!();
          looks.push({ same: fresh === ctx.observation, ...(fresh.screenshotId ? { screenshotId: fresh.screenshotId } : {}) });
          return { step: click };
        }
        return null;
      },
    };
    const r = await engine.run({ source, title: 'late repaint', kind: 'chat' });
    expect(r.status).toBe('succeeded');
    expect(looks.map((l) => l.same)).toEqual([true, false]);
    const steps = store.steps.listForRun(r.run.id);
    expect(steps[1]!.beforeScreenshotId).toBe(looks[1]!.screenshotId);
    expect(steps[1]!.beforeScreenshotId).not.toBe(steps[0]!.afterScreenshotId);
  });

  it('stops when asked, with status aborted', async () => {
    const { engine } = setup();
    const controller = new AbortController();
    controller.abort();
    const r = await engine.run({ source: new ListStepSource(parseCommands('click "Save"').map((c) => c.step)), title: 't', kind: 'command', signal: controller.signal });
    expect(r.status).toBe('aborted');
  });

  it('stops at the step limit, and a step that takes too long fails with a timeout', async () => {
    const { engine } = setup();
    const many = parseCommands('click "Save"; click "Save"; click "Save"').map((c) => c.step);
    const r = await engine.run({ source: new ListStepSource(many), title: 'limit', kind: 'command', maxSteps: 2 });
    expect(r.status).toBe('failed');
    expect(r.error).toMatchObject({ code: 'MAX_STEPS' });
    expect(r.steps).toHaveLength(2);

    const slow = parseCommands('wait 5s').map((c) => ({ ...c.step, timeoutMs: 150 }));
    const t = await engine.run({ source: new ListStepSource(slow), title: 'slow', kind: 'command' });
    expect(t.status).toBe('failed');
    expect(t.steps[0]).toMatchObject({ outcome: 'failed', error: { code: 'STEP_TIMEOUT' } });
  });
});
