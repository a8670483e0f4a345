import type { InputDriver } from '../shared/ports.js';
import { ActionError } from '../shared/errors.js';
import { type Logger, nullLogger } from '../shared/logger.js';
import { DryRunInputDriver } from './dry-run-input.js';
import { hasTool } from './process.js';
import type { Typist } from './typist.js';
import type { KeyName } from './keys.js';

export { DryRunInputDriver, type InputCall } from './dry-run-input.js';
export { GuardedInputDriver, type GuardOptions } from './guarded-input.js';
export { Failsafe, FAILSAFE_MESSAGES, outerCorners, type FailsafeOptions, type FailsafeReason } from './failsafe.js';
export { parseChord, closestKey, canonicalKey, KEY_NAMES, MODIFIER_KEYS, type KeyName, type ModifierKey } from './keys.js';
export { chunkText, normalizeTypedText, type TextChunk } from './text-chunks.js';
export type { PointerProbe, EventClock } from './pointer.js';
export type { Typist } from './typist.js';
export type { NutInputDriver } from './nut-input.js';

export type TypingPath = 'auto' | 'xdotool' | 'keymap' | 'nut';

export interface InputDriverOptions {
  /** X display (":57"); the DISPLAY of `env` when absent. Linux only. */
  display?: string;
  logger?: Logger;
  /** Record calls and send nothing (`--dry-run`). */
  dryRun?: boolean;
  /** Which text path; `auto` picks per platform (see typist.ts). */
  typing?: TypingPath;
  /** Environment for helper programs (PATH); process.env when absent. */
  env?: NodeJS.ProcessEnv;
}

/**
 * The composition roots' one way to get hands. nut-js is loaded only here, lazily, so that a dry
 * run or a machine without a display never loads the native module.
 */
export async function createInputDriver(options: InputDriverOptions = {}): Promise<InputDriver> {
  const logger = options.logger ?? nullLogger;
  if (options.dryRun) return new DryRunInputDriver({ logger });
  const baseEnv = options.env ?? process.env;
  const linux = process.platform === 'linux';
  const display = options.display ?? baseEnv.DISPLAY;
  const env = display ? { ...baseEnv, DISPLAY: display } : baseEnv;
  if (linux) {
    if (!display) throw new ActionError('no X display to send input to: DISPLAY is not set and no display was given');
    const { probeX11Display, pointLibnutAt } = await import('./x11-display.js');
    await probeX11Display(display);
    pointLibnutAt(display);
  }
  const typing = chooseTyping(options.typing ?? 'auto', linux, env);
  const { NutInputDriver } = await import('./nut-input.js');
  const { XdotoolTypist, NutTypist } = await import('./typist.js');
  const { KeymapTypist } = await import('./keymap-typist.js');
  const { keyboard } = await import('./nut.js');
  const canPaste = linux && hasTool('xclip', env);
  const { KeysymMap } = await import('./keysym-map.js');
  const keysyms = typing === 'xdotool' ? await KeysymMap.open(env) : undefined;
  const makeTypist = (tap: (keys: KeyName[]) => Promise<void>): Typist => {
    if (typing === 'xdotool') return new XdotoolTypist(env, keysyms);
    if (typing === 'keymap') return new KeymapTypist(tap, env, canPaste, logger);
    return new NutTypist(keyboard);
  };
  const driver = new NutInputDriver({ typist: makeTypist, logger, env });
  logger.info({ display, typing: driver.typingPath }, 'input driver ready');
  return driver;
}

function chooseTyping(wanted: TypingPath, linux: boolean, env: NodeJS.ProcessEnv): Exclude<TypingPath, 'auto'> {
  if (wanted === 'xdotool' && !hasTool('xdotool', env)) {
    throw new ActionError('typing path "xdotool" was asked for, but xdotool is not installed (apt install xdotool)');
  }
  if (wanted !== 'auto') return wanted;
  if (!linux) return 'nut';
  return hasTool('xdotool', env) ? 'xdotool' : 'keymap';
}
