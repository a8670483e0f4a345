import { ActionError, throwIfAborted } from '../shared/errors.js';
import { runTool } from './process.js';
import { x11 } from './x11-windows.js';

/**
 * Gives non-keymap characters (ä, é, 日, emoji) a key of their own before xdotool types them.
 *
 * Why not xdotool's own remapping: it binds a scratch keycode, sends the key and reverts the
 * binding right away; the application looks the keysym up only when it processes the key, by
 * which time the binding is often gone, so the character is dropped (measured here: `äöü ß é`
 * arrived as `ü` under load, and `ÄÖÜ` lost their case). Here a character is bound to a spare
 * keycode (one with no keysyms) with `xmodmap` and the binding STAYS, so the lookup always
 * succeeds; xdotool then finds the character in the keymap and just presses that key. Slots are
 * reused least-recently-used, never within `reuseAfterMs` of their last key, and emptied again
 * at dispose.
 */
const KEYMAP_PICKUP_MS = 60;

export class KeysymMap {
  private readonly slots: Array<{ keycode: number; char: string | undefined; usedAt: number }>;

  private constructor(
    private readonly env: NodeJS.ProcessEnv,
    keycodes: number[],
    private readonly reuseAfterMs: number,
  ) {
    this.slots = keycodes.map((keycode) => ({ keycode, char: undefined, usedAt: -Infinity }));
  }

  /**
   * Reads the keymap (over this process's X connection, else with `xmodmap -pke`); undefined
   * when it cannot be read or too few keycodes are free.
   */
  static async open(env: NodeJS.ProcessEnv, minSlots = 4, reuseAfterMs = 250): Promise<KeysymMap | undefined> {
    const display = env['DISPLAY'];
    const free = (display ? await freeKeycodes(display).catch(() => undefined) : undefined) ?? (await freeKeycodesByXmodmap(env));
    return free && free.length >= minSlots ? new KeysymMap(env, free, reuseAfterMs) : undefined;
  }

  get size(): number {
    return this.slots.length;
  }

  /** Makes sure every character of `text` has a key; call right before typing it. */
  async bind(text: string, signal?: AbortSignal): Promise<void> {
    const chars = [...new Set(text)];
    const now = performance.now();
    const changes: string[] = [];
    let waitUntil = 0;
    for (const c of chars) {
      const hit = this.slots.find((s) => s.char === c);
      if (hit) {
        hit.usedAt = now;
        continue;
      }
      const slot = this.slots
        .filter((s) => !chars.includes(s.char ?? ''))
        .reduce((a, b) => (b.usedAt < a.usedAt ? b : a));
      waitUntil = Math.max(waitUntil, slot.usedAt + this.reuseAfterMs);
      slot.char = c;
      slot.usedAt = now;
      const sym = keysym(c);
      changes.push('-e', `keycode ${slot.keycode} = ${sym} ${sym}`);
    }
    if (changes.length === 0) return;
    // A slot last pressed moments ago may not have been looked up by the application yet.
    while (performance.now() < waitUntil) {
      throwIfAborted(signal);
      await new Promise((r) => setTimeout(r, Math.min(20, waitUntil - performance.now())));
    }
    throwIfAborted(signal);
    const r = await runTool('xmodmap', changes, this.env);
    if (r.code !== 0) throw new ActionError(`xmodmap could not bind keys for typing: ${r.stderr.trim()}`);
    // Applications re-read the keymap when their MappingNotify event is handled, which we cannot
    // observe from here; a key sent before that is looked up in the old map and lost (seen under
    // load: the first "ä" of a text dropped). Give them a moment, once per keymap change.
    await new Promise((resolve) => setTimeout(resolve, KEYMAP_PICKUP_MS));
  }

  /** Empties every slot again, leaving the keymap as it was found. */
  async restore(): Promise<void> {
    const used = this.slots.filter((s) => s.char !== undefined);
    if (used.length === 0) return;
    await runTool('xmodmap', used.flatMap((s) => ['-e', `keycode ${s.keycode} =`]), this.env);
    for (const s of used) s.char = undefined;
  }
}

/** X keysym of a character: Latin-1 keysyms equal the code point, the rest are 0x1000000 + code point. */
export function keysym(c: string): string {
  const cp = c.codePointAt(0) ?? 0;
  return '0x' + (cp < 0x100 ? cp : 0x1000000 + cp).toString(16);
}

/**
 * The keycodes that have no keysym at all (what `xmodmap -pke` prints as "keycode N ="), read
 * with one GetKeyboardMapping request instead of starting xmodmap (~10 ms of a test worker's start).
 */
export async function freeKeycodes(display: string): Promise<number[]> {
  const c = await x11(display);
  const { min, max } = c.keycodes;
  const req = Buffer.alloc(8);
  req[0] = 101; // GetKeyboardMapping
  req.writeUInt16LE(2, 2);
  req[4] = min;
  req[5] = max - min + 1;
  const r = await c.request(req, 'GetKeyboardMapping');
  const perKey = r[1]!;
  const free: number[] = [];
  for (let code = min; code <= max; code++) {
    const at = 32 + (code - min) * perKey * 4;
    let empty = true;
    for (let i = 0; i < perKey && empty; i++) empty = r.readUInt32LE(at + 4 * i) === 0;
    if (empty) free.push(code);
  }
  return free;
}

async function freeKeycodesByXmodmap(env: NodeJS.ProcessEnv): Promise<number[] | undefined> {
  const r = await runTool('xmodmap', ['-pke'], env).catch(() => undefined);
  if (!r || r.code !== 0) return undefined;
  return [...r.stdout.matchAll(/^keycode\s+(\d+)\s*=\s*$/gm)].map((m) => Number(m[1]));
}
