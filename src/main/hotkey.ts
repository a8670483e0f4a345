/**
 * The global stop hotkey: configured as desktopApp.stopHotkey (an Electron accelerator, default
 * Control+Alt+Escape), checked here so that a typo or a taken shortcut is a clear warning and
 * the default is tried instead. Pure but for the `register` passed in.
 */
export const DEFAULT_STOP_HOTKEY = 'Control+Alt+Escape';

const MODIFIERS: Record<string, string> = {
  control: 'Control', ctrl: 'Control', command: 'Command', cmd: 'Command', commandorcontrol: 'CommandOrControl', cmdorctrl: 'CommandOrControl',
  alt: 'Alt', option: 'Alt', altgr: 'AltGr', shift: 'Shift', super: 'Super', meta: 'Meta', win: 'Super',
};

const NAMED_KEYS: Record<string, string> = {
  esc: 'Escape', escape: 'Escape', space: 'Space', tab: 'Tab', backspace: 'Backspace', delete: 'Delete', del: 'Delete', insert: 'Insert',
  enter: 'Enter', return: 'Return', up: 'Up', down: 'Down', left: 'Left', right: 'Right', home: 'Home', end: 'End',
  pageup: 'PageUp', pagedown: 'PageDown', printscreen: 'PrintScreen', plus: 'Plus', capslock: 'Capslock', numlock: 'Numlock',
  scrolllock: 'Scrolllock', volumeup: 'VolumeUp', volumedown: 'VolumeDown', volumemute: 'VolumeMute', medianexttrack: 'MediaNextTrack',
  mediaprevioustrack: 'MediaPreviousTrack', mediastop: 'MediaStop', mediaplaypause: 'MediaPlayPause', pause: 'Pause',
};

export type AcceleratorCheck = { ok: true; accelerator: string } | { ok: false; why: string };

/** "ctrl+alt+esc" -> "Control+Alt+Escape"; refuses unknown names and a bare key (it would be taken from every app). */
export function parseAccelerator(text: string): AcceleratorCheck {
  const parts = text.split('+').map((p) => p.trim());
  // "Control+Alt++" means the plus key.
  if (text.trim().endsWith('++')) parts.splice(parts.length - 2, 2, 'Plus');
  if (parts.some((p) => p === '')) return { ok: false, why: 'an empty part between "+" signs' };
  const mods: string[] = [];
  const keys: string[] = [];
  for (const p of parts) {
    const lower = p.toLowerCase();
    if (MODIFIERS[lower]) mods.push(MODIFIERS[lower]);
    else keys.push(p);
  }
  if (keys.length !== 1) return { ok: false, why: keys.length === 0 ? 'no key after the modifiers' : `more than one key (${keys.join(', ')})` };
  const key = keyName(keys[0]!);
  if (!key) return { ok: false, why: `"${keys[0]}" is not a key name (use a letter, a digit, F1-F24 or a name such as Escape, Space, Delete)` };
  if (mods.length === 0) return { ok: false, why: `a global shortcut needs a modifier (Control, Alt, Shift, Super): "${key}" alone would be taken from every app` };
  if (new Set(mods).size !== mods.length) return { ok: false, why: 'a modifier is repeated' };
  return { ok: true, accelerator: [...mods, key].join('+') };
}

function keyName(k: string): string | undefined {
  if (/^[a-z0-9]$/i.test(k)) return k.toUpperCase();
  if (/^f([1-9]|1\d|2[0-4])$/i.test(k)) return k.toUpperCase();
  if (/^num[0-9]$|^num(dec|add|sub|mult|div)$/i.test(k)) return k.toLowerCase();
  if (/^[-=[\]\\;',./`]$/.test(k)) return k;
  return NAMED_KEYS[k.toLowerCase()];
}

export interface HotkeyResult {
  /** The accelerator now registered; undefined when none could be. */
  registered?: string;
  /** A sentence for the log and the person, when something did not go as configured. */
  warning?: string;
}

/**
 * Registers the configured stop hotkey, else the default. `register` is Electron's
 * globalShortcut.register (false when another program holds the shortcut; it throws on a
 * malformed accelerator).
 */
export function registerStopHotkey(register: (accelerator: string, onPress: () => void) => boolean, configured: string, onPress: () => void): HotkeyResult {
  const tryOne = (acc: string): boolean => {
    try {
      return register(acc, onPress);
    } catch {
      return false;
    }
  };
  const parsed = parseAccelerator(configured);
  const warnings: string[] = [];
  if (!parsed.ok) warnings.push(`desktopApp.stopHotkey: "${configured}" is not a usable shortcut (${parsed.why})`);
  else if (tryOne(parsed.accelerator)) return { registered: parsed.accelerator };
  else warnings.push(`the stop hotkey ${parsed.accelerator} is taken by another program`);
  if (!parsed.ok || parsed.accelerator !== DEFAULT_STOP_HOTKEY) {
    if (tryOne(DEFAULT_STOP_HOTKEY)) return { registered: DEFAULT_STOP_HOTKEY, warning: `${warnings.join('; ')}: using ${DEFAULT_STOP_HOTKEY} instead` };
    warnings.push(`the default ${DEFAULT_STOP_HOTKEY} is taken too`);
  }
  return { warning: `${warnings.join('; ')}: no stop hotkey; use the Stop button, the status widget or the tray menu, or set desktopApp.stopHotkey to a free shortcut` };
}
