import { ActionError, throwIfAborted } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { type KeyName, canonicalKey } from './keys.js';
import { normalizeTypedText, isPlainChar } from './text-chunks.js';
import { runTool } from './process.js';
import type { Typist } from './typist.js';

/**
 * The X11 path when xdotool is missing: printable ASCII as explicit key presses on a US keymap
 * (Shift pressed by us for shifted symbols, which nut-js `keyboard.type` forgets), and every
 * other character by clipboard paste through xclip, restoring the previous clipboard after.
 */

const SHIFTED: Record<string, string> = {
  '!': '1', '@': '2', '#': '3', $: '4', '%': '5', '^': '6', '&': '7', '*': '8', '(': '9', ')': '0',
  _: '-', '+': '=', '{': '[', '}': ']', '|': '\\', ':': ';', '"': "'", '<': ',', '>': '.', '?': '/', '~': '`',
};

/** The chord that types one printable ASCII character on a US keymap. */
export function usKeystroke(c: string): KeyName[] | undefined {
  if (c === '\n') return ['enter'];
  if (c === '\t') return ['tab'];
  if (c >= 'A' && c <= 'Z') return ['shift', c.toLowerCase()];
  const base = SHIFTED[c];
  if (base !== undefined) {
    const k = canonicalKey(base);
    return k ? ['shift', k] : undefined;
  }
  const k = canonicalKey(c);
  return k ? [k] : undefined;
}

/** How long the target application gets to fetch the pasted text before the clipboard is restored. */
const PASTE_SETTLE_MS = 150;

export class KeymapTypist implements Typist {
  readonly name = 'keymap+clipboard';

  constructor(
    private readonly tapChord: (keys: KeyName[]) => Promise<void>,
    private readonly env: NodeJS.ProcessEnv,
    private readonly canPaste: boolean,
    private readonly logger: Logger,
  ) {}

  async type(text: string, signal: AbortSignal | undefined, sent: () => void): Promise<void> {
    const chars = [...normalizeTypedText(text)];
    let i = 0;
    while (i < chars.length) {
      throwIfAborted(signal);
      const c = chars[i] ?? '';
      if (isPlainChar(c)) {
        const chord = usKeystroke(c);
        if (!chord) throw new ActionError(`no key on the US keymap types ${JSON.stringify(c)}`);
        await this.tapChord(chord);
        sent();
        i++;
        continue;
      }
      let j = i;
      while (j < chars.length && !isPlainChar(chars[j] ?? '')) j++;
      await this.paste(chars.slice(i, j).join(''), sent);
      i = j;
    }
  }

  private async paste(text: string, sent: () => void): Promise<void> {
    if (!this.canPaste) {
      throw new ActionError(`cannot type ${JSON.stringify(text)}: non-ASCII text needs xdotool or xclip on X11, and neither is installed`);
    }
    const before = await runTool('xclip', ['-selection', 'clipboard', '-o'], this.env);
    const previous = before.code === 0 ? before.stdout : '';
    await this.setClipboard(text);
    try {
      await this.tapChord(['ctrl', 'v']);
      sent();
      // No X event says the paste is done: the application asks for the selection when it gets
      // to it, so give it a moment before taking the clipboard back.
      await new Promise((r) => setTimeout(r, PASTE_SETTLE_MS));
    } finally {
      await this.setClipboard(previous).catch((err: unknown) =>
        this.logger.warn({ err }, 'could not restore the clipboard after pasting'),
      );
    }
  }

  private async setClipboard(text: string): Promise<void> {
    const r = await runTool('xclip', ['-selection', 'clipboard', '-i'], this.env, text);
    if (r.code !== 0) throw new ActionError(`xclip could not set the clipboard: ${r.stderr.trim()}`);
  }
}
