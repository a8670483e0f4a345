import { ActionError, throwIfAborted } from '../shared/errors.js';
import { chunkText } from './text-chunks.js';
import { runTool } from './process.js';
import type { KeysymMap } from './keysym-map.js';

/**
 * How text reaches the focused window. Which path each platform uses:
 * - Linux/X11: `XdotoolTypist` (XTest through xdotool). It presses Shift for shifted symbols;
 *   non-ASCII characters (any Unicode) first get a spare keycode of their own (keysym-map.ts). nut-js `keyboard.type` is NOT used
 *   there: under X11 it drops Shift (`!@#` arrives as `123`) and drops non-ASCII characters.
 *   Without xdotool, `KeymapTypist` (US keymap through nut-js, non-ASCII by clipboard paste).
 * - Windows and macOS: `NutTypist`, nut-js `keyboard.type`, which sends Unicode there
 *   (SendInput KEYEVENTF_UNICODE / CGEventKeyboardSetUnicodeString). Not exercised in this
 *   repository's tests, which run on X11 only.
 */
export interface Typist {
  readonly name: string;
  /** `sent` is called right after each batch of events reached the system. */
  type(text: string, signal: AbortSignal | undefined, sent: () => void): Promise<void>;
  dispose?(): Promise<void>;
}

/**
 * Per-character delay when xdotool must remap keys itself (no xmodmap, see keysym-map.ts): 5 ms
 * was the measured minimum on an idle machine; it is not a guarantee under load.
 */
const REMAP_DELAY_MS = 12;

/** Keys an interrupted `xdotool type` can leave pressed: the modifiers it uses for symbols. */
const HELD_KEYS = ['Shift_L', 'Shift_R', 'Control_L', 'Control_R', 'Alt_L', 'Alt_R', 'ISO_Level3_Shift', 'Super_L'];

export class XdotoolTypist implements Typist {
  readonly name = 'xdotool';

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly keysyms?: KeysymMap,
  ) {}

  async type(text: string, signal: AbortSignal | undefined, sent: () => void): Promise<void> {
    const chunks = chunkText(text);
    // Bind every unusual character up front when the spare keycodes suffice: one keymap change
    // and one wait for applications to pick it up, instead of one per chunk.
    const unusual = [...new Set(chunks.filter((c) => c.kind === 'remapped').flatMap((c) => [...c.text]))];
    if (this.keysyms && unusual.length > 0 && unusual.length <= this.keysyms.size) await this.keysyms.bind(unusual.join(''), signal);
    for (const chunk of chunks) {
      throwIfAborted(signal);
      if (chunk.kind === 'remapped' && this.keysyms) await this.keysyms.bind(chunk.text, signal);
      const delay = chunk.kind === 'plain' || this.keysyms ? 0 : REMAP_DELAY_MS;
      const r = await runTool(
        'xdotool',
        ['type', '--delay', String(delay), '--clearmodifiers', '--', chunk.text],
        this.env,
        undefined,
        signal,
      );
      if (signal?.aborted) {
        // xdotool was killed mid-chunk: let go of anything it may have held down.
        await runTool('xdotool', ['keyup', ...HELD_KEYS, ...keysFor(chunk.text)], this.env).catch(() => undefined);
        throwIfAborted(signal);
      }
      sent();
      if (r.code !== 0) {
        throw new ActionError(`xdotool type failed (exit ${r.code}): ${r.stderr.trim() || 'no message'}`);
      }
    }
  }

  async dispose(): Promise<void> {
    await this.keysyms?.restore();
  }
}

const SYMBOL_NAMES: Record<string, string> = {
  ' ': 'space', '!': 'exclam', '"': 'quotedbl', '#': 'numbersign', $: 'dollar', '%': 'percent', '&': 'ampersand',
  "'": 'apostrophe', '(': 'parenleft', ')': 'parenright', '*': 'asterisk', '+': 'plus', ',': 'comma', '-': 'minus',
  '.': 'period', '/': 'slash', ':': 'colon', ';': 'semicolon', '<': 'less', '=': 'equal', '>': 'greater',
  '?': 'question', '@': 'at', '[': 'bracketleft', '\\': 'backslash', ']': 'bracketright', '^': 'asciicircum',
  _: 'underscore', '`': 'grave', '{': 'braceleft', '|': 'bar', '}': 'braceright', '~': 'asciitilde', '\t': 'Tab', '\n': 'Return',
};

/** X keysym names of a chunk's keys, so an interrupted chunk can release whatever it held. */
function keysFor(text: string): string[] {
  const names = new Set<string>();
  for (const c of text) {
    if (/^[A-Za-z0-9]$/.test(c)) names.add(c.toLowerCase());
    else if (SYMBOL_NAMES[c]) names.add(SYMBOL_NAMES[c]);
  }
  return [...names];
}

/** The nut-js keyboard, as far as typing needs it. */
export interface NutKeyboardLike {
  type(...input: string[]): Promise<unknown>;
}

/** Windows/macOS: nut-js types Unicode natively there. Chunked so that abort stays prompt. */
export class NutTypist implements Typist {
  readonly name = 'nut-js';

  constructor(private readonly keyboard: NutKeyboardLike) {}

  async type(text: string, signal: AbortSignal | undefined, sent: () => void): Promise<void> {
    for (const chunk of chunkText(text, 8, 8)) {
      throwIfAborted(signal);
      await this.keyboard.type(chunk.text);
      sent();
    }
  }
}
