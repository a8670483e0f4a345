import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAppContext, type AppContext } from '../../../src/app/context.js';
import { createDeskService, type DeskService } from '../../../src/host/service.js';
import type { IpcEvents } from '../../../src/shared/ipc.js';
import type { Display, Frame, ScreenSource } from '../../../src/shared/ports.js';

/**
 * A setting saved in the app reaches the engine at the next run: a dry run on a real screenshot
 * (real OCR, real policy) asks no confirmation, and once "allowed apps" is saved from the
 * settings screen, the same run asks first (the app it acts in is not an allowed one).
 * The engine's screen comes through the service's `screen` option, as the Electron app's does.
 */
async function screenOf(file: string): Promise<ScreenSource> {
  const { data, info } = await sharp(readFileSync(file)).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const bounds = { x: 0, y: 0, width: info.width, height: info.height };
  const display: Display = { id: '0', name: 'fixture', bounds, scaleFactor: 1, primary: true };
  const frame = (): Frame => ({ displayId: '0', width: info.width, height: info.height, data: new Uint8Array(data), desktopBounds: bounds, scaleFactor: 1, capturedAt: Date.now() });
  return { listDisplays: () => Promise.resolve([display]), capture: () => Promise.resolve(frame()), dispose: () => Promise.resolve() };
}

describe('saved settings and the next run', () => {
  let work: string;
  let app: AppContext;
  let service: DeskService;
  const events: Array<[keyof IpcEvents, unknown]> = [];

  beforeEach(() => {
    work = mkdtempSync(path.join(tmpdir(), 'deskpilot-next-run-'));
    writeFileSync(path.join(work, 'config.yaml'), 'grounding:\n  cascade: [text]\n');
    app = createAppContext({ configPath: path.join(work, 'config.yaml'), env: {}, flags: { '--data-dir': path.join(work, 'data') }, defaults: { logLevel: 'silent' } });
    service = createDeskService(app, { keyboardHook: false, screen: () => screenOf('test/fixtures/ocr/screen-1280x800.png') });
    service.subscribe((e, p) => events.push([e, p]));
  });
  afterEach(async () => {
    await service.dispose();
    await app.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  async function runToEnd(text: string): Promise<{ status: string; asked: boolean }> {
    events.length = 0;
    const { runId } = await service.handlers['run.start']({ text, dryRun: true });
    for (;;) {
      const ask = events.find(([e, p]) => e === 'confirm.request' && (p as IpcEvents['confirm.request']).runId === runId);
      if (ask) await service.handlers['confirm.answer']({ requestId: (ask[1] as IpcEvents['confirm.request']).requestId, answer: 'deny' });
      const end = events.find(([e, p]) => e === 'engine' && (p as IpcEvents['engine']).type === 'run_finished' && (p as IpcEvents['engine']).runId === runId);
      if (end) return { status: (end[1] as { status: string }).status, asked: Boolean(ask) };
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('a saved allow-list makes the same step ask first', async () => {
    expect(await runToEnd('click "Invoice editor"')).toEqual({ status: 'succeeded', asked: false });
    const saved = await service.handlers['settings.safety.save']({ allowApps: ['gedit'], confirmTimeoutMs: 5000, policyFile: '' });
    expect(saved.safety.allowApps).toEqual(['gedit']);
    const second = await runToEnd('click "Invoice editor"');
    expect(second).toEqual({ status: 'failed', asked: true });
    const ask = events.find(([e]) => e === 'confirm.request')![1] as IpcEvents['confirm.request'];
    expect(ask.reasons.join(' ')).toMatch(/not in your allowed apps/);
  });
});
