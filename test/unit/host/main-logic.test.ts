import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { electronBinary, handleInvoke, onStopHotkey } from '../../../src/main/logic.js';
import { UiConfirmer } from '../../../src/host/ui-confirmer.js';
import type { IpcEvents } from '../../../src/shared/ipc.js';
import { Step } from '../../../src/shared/steps.js';
import { fakeService } from './fake-service.js';

/** The Electron main process's decisions, tested without the Electron binary. */
describe('main process logic', () => {
  it('the stop hotkey stops the run in progress, and says when there is none', async () => {
    const s = fakeService();
    expect(onStopHotkey(s)).toBe('no run in progress');
    await s.handlers['run.start']({ text: 'click "OK"' });
    expect(onStopHotkey(s)).toBe('run stopped');
    expect(s.stops).toEqual(['stopped by the hotkey Control+Alt+Escape']);
  });

  it('answers IPC only from the window it loaded, and validates the input', async () => {
    const s = fakeService();
    const origin = 'http://127.0.0.1:4242';
    expect(await handleInvoke(s, 'http://127.0.0.1:4242/?token=x', origin, 'run.start', { text: 'press enter' })).toEqual({ ok: true, value: { runId: 'run-1' } });
    expect(await handleInvoke(s, 'https://evil.example/', origin, 'run.start', { text: 'click "Delete"' })).toMatchObject({ ok: false, error: { code: 'UNTRUSTED_SENDER' } });
    expect(await handleInvoke(s, '', origin, 'run.start', { text: 'x' })).toMatchObject({ ok: false, error: { code: 'UNTRUSTED_SENDER' } });
    expect(await handleInvoke(s, `${origin}/`, origin, 'run.start', { text: 42 })).toMatchObject({ ok: false, error: { code: 'IPC_BAD_INPUT' } });
    expect(s.started).toEqual(['press enter']);
  });

  it('finds the Electron binary only when the file exists', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'deskpilot-electron-'));
    try {
      const bin = path.join(dir, 'electron');
      writeFileSync(bin, '');
      expect(electronBinary(() => bin)).toBe(bin);
      expect(electronBinary(() => path.join(dir, 'missing'))).toBeUndefined();
      expect(
        electronBinary(() => {
          throw new Error('Electron failed to install correctly');
        }),
      ).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('confirmations through the UI', () => {
  const step = Step.parse({ kind: 'click', target: { text: 'Delete' } });
  function confirmer() {
    const sent: Array<[keyof IpcEvents, unknown]> = [];
    const c = new UiConfirmer((event, payload) => sent.push([event, payload]));
    return { c, sent };
  }

  it('sends a request with the annotated target and waits for the answer', async () => {
    const { c, sent } = confirmer();
    c.noteAnnotated('r1', 'annotated-shot');
    const answer = c.confirm({ runId: 'r1', step, reasons: ['deletes something'], screenshotId: 'plain-shot' });
    const [event, payload] = sent[0]!;
    expect(event).toBe('confirm.request');
    expect(payload).toMatchObject({ runId: 'r1', description: 'click "Delete"', reasons: ['deletes something'], screenshotId: 'annotated-shot' });
    const id = (payload as { requestId: string }).requestId;
    expect(c.open()).toHaveLength(1);
    expect(c.answer(id, 'allow_once')).toBe(true);
    await expect(answer).resolves.toBe('allow_once');
    expect(c.answer(id, 'deny')).toBe(false);
    expect(sent[1]).toEqual(['confirm.closed', { requestId: id, answer: 'allow_once' }]);
    expect(c.open()).toHaveLength(0);
  });

  it('a timeout or a stop (the signal) is a deny, and the card closes', async () => {
    const { c, sent } = confirmer();
    const ac = new AbortController();
    const answer = c.confirm({ runId: 'r1', step, reasons: ['deletes something'] }, ac.signal);
    ac.abort();
    await expect(answer).resolves.toBe('deny');
    expect(sent.map((s) => s[0])).toEqual(['confirm.request', 'confirm.closed']);
  });
});
