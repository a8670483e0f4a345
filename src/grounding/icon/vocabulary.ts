/**
 * The built-in icon vocabulary: names, the words people use for them, and small SVGs drawn the
 * way common toolkits and icon sets draw them (outline and filled, round and square caps).
 * Exemplars are rendered from these at run time, so there are no stored template images.
 */

export const ICON_NAMES = [
  'close',
  'minimize',
  'maximize',
  'back',
  'forward',
  'search',
  'settings',
  'menu',
  'add',
  'delete',
  'checkbox',
  'dropdown',
] as const;
export type IconName = (typeof ICON_NAMES)[number];

/** Words (lower case) → icon. Several words may name one icon. */
const WORDS: Record<IconName, string[]> = {
  close: ['close', 'x', '×', 'dismiss', 'cross'],
  minimize: ['minimize', 'minimise', 'minimized'],
  maximize: ['maximize', 'maximise', 'maximized'],
  back: ['back', 'previous', 'prev', 'backward', 'backwards'],
  forward: ['forward', 'next', 'forwards'],
  search: ['search', 'magnifier', 'magnifying', 'find', 'lookup'],
  settings: ['settings', 'setting', 'gear', 'cog', 'preferences', 'prefs', 'options'],
  menu: ['menu', 'hamburger', 'burger'],
  add: ['add', 'plus', 'new', 'create'],
  delete: ['delete', 'trash', 'bin', 'remove', 'garbage', 'wastebasket'],
  checkbox: ['checkbox', 'checkboxes', 'tickbox', 'check'],
  dropdown: ['dropdown', 'drop-down', 'caret', 'expand', 'chevron'],
};

/**
 * The vocabulary icon a target's words name, the first one mentioned ("the close button of the
 * settings dialog" → close). undefined when no word names one.
 */
export function iconNamed(words: string): IconName | undefined {
  const tokens = words
    .toLowerCase()
    .replace(/check box|tick box/g, 'checkbox')
    .replace(/drop down/g, 'dropdown')
    .split(/[^a-z×-]+/)
    .filter(Boolean);
  for (const t of tokens) {
    for (const name of ICON_NAMES) if (WORDS[name].includes(t)) return name;
  }
  return undefined;
}

/** A gear outline with `teeth` teeth, centred at 12,12 in a 24-unit box. */
function gearPath(teeth: number, outer: number, inner: number): string {
  const pts: string[] = [];
  const step = (Math.PI * 2) / teeth;
  for (let i = 0; i < teeth; i++) {
    const a = i * step;
    const q = step / 4;
    for (const [ang, r] of [
      [a - q * 1.1, inner],
      [a - q * 0.6, outer],
      [a + q * 0.6, outer],
      [a + q * 1.1, inner],
    ] as const) {
      pts.push(`${(12 + r * Math.cos(ang)).toFixed(2)} ${(12 + r * Math.sin(ang)).toFixed(2)}`);
    }
  }
  return `M${pts.join('L')}Z`;
}

const S = 'fill="none" stroke="#000" stroke-linejoin="round"';
const F = 'fill="#000" stroke="none"';

/** Outline drawings (stroke width given at render time) and filled ones, per icon. */
export const ICON_SVGS: Record<IconName, { stroked: string[]; filled: string[] }> = {
  close: { stroked: ['<path d="M6 6L18 18M18 6L6 18"/>'], filled: [] },
  minimize: { stroked: ['<path d="M5 12H19"/>'], filled: [] },
  maximize: {
    // Plain, and with the thick top edge of a window (common in window-manager themes).
    stroked: [
      '<rect x="5" y="5" width="14" height="14"/>',
      '<rect x="5" y="5" width="14" height="14"/><path d="M5 7H19" stroke-width="4"/>',
    ],
    filled: [],
  },
  back: { stroked: ['<path d="M19 12H5M11 6L5 12L11 18"/>', '<path d="M15 5L8 12L15 19"/>'], filled: [] },
  forward: { stroked: ['<path d="M5 12H19M13 6L19 12L13 18"/>', '<path d="M9 5L16 12L9 19"/>'], filled: [] },
  search: {
    stroked: [
      '<circle cx="10" cy="10" r="6.5"/><path d="M15 15L20.5 20.5"/>',
      '<circle cx="14" cy="10" r="6.5"/><path d="M9 15L3.5 20.5"/>',
    ],
    filled: [],
  },
  settings: {
    stroked: [
      `<path d="${gearPath(8, 10, 7.5)}"/><circle cx="12" cy="12" r="3"/>`,
      `<path d="${gearPath(6, 10, 7)}"/><circle cx="12" cy="12" r="3.5"/>`,
    ],
    filled: [
      `<path fill-rule="evenodd" d="${gearPath(8, 10, 7.5)}M12 8.5A3.5 3.5 0 1 0 12.01 8.5Z"/>`,
      `<path fill-rule="evenodd" d="${gearPath(6, 10, 7)}M12 8A4 4 0 1 0 12.01 8Z"/>`,
    ],
  },
  menu: {
    stroked: ['<path d="M4 6H20M4 12H20M4 18H20"/>'],
    filled: ['<path d="M3 5H21V7.5H3ZM3 10.75H21V13.25H3ZM3 16.5H21V19H3Z"/>'],
  },
  add: { stroked: ['<path d="M12 4V20M4 12H20"/>'], filled: [] },
  delete: {
    stroked: [
      '<path d="M4 6H20M9 6V3.5H15V6M6 6L7 21H17L18 6"/>',
      '<path d="M4 6H20M9 6V3.5H15V6M6 6L7 21H17L18 6M10 10V17M14 10V17"/>',
    ],
    filled: [],
  },
  checkbox: {
    stroked: ['<rect x="3" y="3" width="18" height="18" rx="2.5"/><path d="M7 12L10.5 15.5L17 8.5"/>'],
    filled: [
      '<path fill-rule="evenodd" d="M5 3H19A2 2 0 0 1 21 5V19A2 2 0 0 1 19 21H5A2 2 0 0 1 3 19V5A2 2 0 0 1 5 3ZM6.5 12L10.5 16L17.5 8.5L16 7L10.5 13L8 10.5Z"/>',
    ],
  },
  dropdown: { stroked: ['<path d="M5 9L12 16L19 9"/>'], filled: ['<path d="M5 9H19L12 17Z"/>'] },
};

export const STROKED_STYLE = S;
export const FILLED_STYLE = F;
