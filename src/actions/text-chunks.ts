import { UserInputError } from '../shared/errors.js';

/**
 * Splits text to type into short chunks, so that a long `type` can be stopped between chunks
 * within 100 ms (each chunk is one short, uninterruptible helper run).
 *
 * - `plain`: printable ASCII, tab and newline. They are on every US keymap, so xdotool types them
 *   with no delay (about 0.5 ms a character here).
 * - `remapped`: everything else. xdotool types these by remapping a spare keycode to the
 *   character's keysym for each keystroke; with no delay the application sees the key after the
 *   mapping was already reverted and drops it (measured: `äöü é日本語` lost at 1 ms, exact at 5 ms),
 *   so these get a per-character delay and smaller chunks.
 */

export interface TextChunk {
  kind: 'plain' | 'remapped';
  text: string;
}

export const PLAIN_CHUNK = 16;
export const REMAPPED_CHUNK = 4;

/** Carriage returns become newlines (one Return per line break); other control characters are refused. */
export function normalizeTypedText(text: string): string {
  const t = text.replace(/\r\n?/g, '\n');
  for (let i = 0; i < t.length; i++) {
    const code = t.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09 && code !== 0x0a) || code === 0x7f) {
      throw new UserInputError(
        `text to type contains the control character U+${code.toString(16).padStart(4, '0')} at index ${i}; use a key step (e.g. "escape", "backspace") for keys that are not text`,
      );
    }
  }
  return t;
}

export function isPlainChar(c: string): boolean {
  return c === '\t' || c === '\n' || (c >= ' ' && c <= '~');
}

export function chunkText(text: string, plainSize = PLAIN_CHUNK, remappedSize = REMAPPED_CHUNK): TextChunk[] {
  const chunks: TextChunk[] = [];
  // Iterate by code point so that characters outside the BMP (emoji) are never split.
  for (const c of normalizeTypedText(text)) {
    const kind = isPlainChar(c) ? 'plain' : 'remapped';
    const last = chunks[chunks.length - 1];
    const limit = kind === 'plain' ? plainSize : remappedSize;
    if (last && last.kind === kind && [...last.text].length < limit) last.text += c;
    else chunks.push({ kind, text: c });
  }
  return chunks;
}
