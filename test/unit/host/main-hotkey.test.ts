import { describe, expect, it } from 'vitest';
import { DEFAULT_STOP_HOTKEY, parseAccelerator, registerStopHotkey } from '../../../src/main/hotkey.js';
import { onStopHotkey } from '../../../src/main/logic.js';
import { Config } from '../../../src/shared/config.js';
import { fakeService } from './fake-service.js';

/** expect's asymmetric matchers, typed: they go inside object literals. */
const matching = (re: RegExp | string): unknown => expect.stringMatching(re);

/** The configurable stop hotkey: checked, registered (or a clear warning), and it stops the run. */
describe('the stop hotkey', () => {
  it('defaults to Control+Alt+Escape in the config', () => {
    expect(Config.parse({}).desktopApp).toEqual({ stopHotkey: 'Control+Alt+Escape', captureSource: 'nut' });
    expect(DEFAULT_STOP_HOTKEY).toBe('Control+Alt+Escape');
  });

  it('reads the usual spellings and refuses what Electron would not take, saying why', () => {
    expect(parseAccelerator('ctrl+alt+esc')).toEqual({ ok: true, accelerator: 'Control+Alt+Escape' });
    expect(parseAccelerator('Super + Shift + s')).toEqual({ ok: true, accelerator: 'Super+Shift+S' });
    expect(parseAccelerator('CmdOrCtrl+F12')).toEqual({ ok: true, accelerator: 'CommandOrControl+F12' });
    expect(parseAccelerator('Control++')).toEqual({ ok: true, accelerator: 'Control+Plus' });
    expect(parseAccelerator('Escape')).toMatchObject({ ok: false, why: matching(/needs a modifier.*taken from every app/) });
    expect(parseAccelerator('Ctrl+Alt+Escpe')).toMatchObject({ ok: false, why: matching(/"Escpe" is not a key name/) });
    expect(parseAccelerator('Ctrl+Alt')).toMatchObject({ ok: false, why: 'no key after the modifiers' });
    expect(parseAccelerator('Ctrl+A+B')).toMatchObject({ ok: false, why: 'more than one key (A, B)' });
    expect(parseAccelerator('Ctrl+Ctrl+A')).toMatchObject({ ok: false, why: 'a modifier is repeated' });
  });

  it('registers the configured shortcut, falls back to the default with a warning, and says when none is free', () => {
    const taken = new Set<string>();
    const registered: string[] = [];
    const register = (acc: string) => (taken.has(acc) ? false : (registered.push(acc), true));
    expect(registerStopHotkey(register, 'Super+Shift+X', () => undefined)).toEqual({ registered: 'Super+Shift+X' });

    taken.add('Super+Shift+X');
    expect(registerStopHotkey(register, 'Super+Shift+X', () => undefined)).toEqual({
      registered: 'Control+Alt+Escape',
      warning: 'the stop hotkey Super+Shift+X is taken by another program: using Control+Alt+Escape instead',
    });
    expect(registerStopHotkey(register, 'Escpe', () => undefined)).toMatchObject({ registered: 'Control+Alt+Escape', warning: matching(/^desktopApp\.stopHotkey: "Escpe" is not a usable shortcut/) });

    taken.add('Control+Alt+Escape');
    const none = registerStopHotkey(register, 'Super+Shift+X', () => undefined);
    expect(none.registered).toBeUndefined();
    expect(none.warning).toMatch(/taken by another program; the default Control\+Alt\+Escape is taken too: no stop hotkey; use the Stop button, the status widget or the tray menu/);
    // Electron throws on an accelerator it cannot parse: a warning, not a crash.
    expect(registerStopHotkey(() => { throw new Error('bad accelerator'); }, 'Control+Alt+Escape', () => undefined).registered).toBeUndefined();
  });

  it('pressing it stops the run in progress, naming the shortcut', async () => {
    const s = fakeService();
    let press: () => void = () => undefined;
    const r = registerStopHotkey((_acc, cb) => ((press = cb), true), 'ctrl+shift+q', () => onStopHotkey(s, r.registered));
    await s.handlers['run.start']({ text: 'click "OK"' });
    press();
    expect(s.stops).toEqual(['stopped by the hotkey Control+Shift+Q']);
  });
});
