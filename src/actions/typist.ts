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

export class XdotoolTypist implements Typist {
  readonly name = 'xdotool';

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly keysyms?: KeysymMap,
  ) {}

  async type(text: string, signal: AbortSignal | undefined, sent: () => void): Promise<void> {
    for (const chunk of chunkText(text)) {
      throwIfAborted(signal);
      if (chunk.kind === 'remapped' && this.keysyms) await this.keysyms.bind(chunk.text, signal);
      const delay = chunk.kind === 'plain' || this.keysyms ? 0 : REMAP_DELAY_MS;
      const r = await runTool(
        'xdotool',
        ['type', '--delay', String(delay), '--clearmodifiers', '--', chunk.text],
        this.env,
      );
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
