import type { IconName } from './vocabulary.js';

/**
 * Small SVGs of every vocabulary icon in a 24-unit box, drawn the way common toolkits and icon
 * sets draw them (outline and filled, round and square caps). Exemplars are rendered from these
 * at run time, so there are no stored template images. Symbols and letters (bold, %, ÷) are
 * drawn as text in the fonts desktops ship.
 */

/** A gear outline with `teeth` teeth, centred at 12,12. */
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

/** A five-pointed star's outline. */
function starPath(outer: number, inner: number): string {
  const pts: string[] = [];
  for (let i = 0; i < 10; i++) {
    const r = i % 2 ? inner : outer;
    const a = -Math.PI / 2 + (i * Math.PI) / 5;
    pts.push(`${(12 + r * Math.cos(a)).toFixed(2)} ${(12.8 + r * Math.sin(a)).toFixed(2)}`);
  }
  return `M${pts.join('L')}Z`;
}

const FONTS = ['DejaVu Sans', 'DejaVu Sans Mono', 'DejaVu Serif', 'Nimbus Sans'];

/** A character drawn as text in each desktop font (and extra attributes such as bold). */
function text(chars: string, attrs = '', fonts = FONTS): string[] {
  return fonts.map(
    (f) =>
      `<text x="12" y="19" font-family="${f}" font-size="20" text-anchor="middle" ${attrs}>${chars}</text>`,
  );
}

const S = 'fill="none" stroke="#000" stroke-linejoin="round"';
const F = 'fill="#000" stroke="none"';

export interface IconDrawing {
  /** Outlines; the stroke width and cap are chosen at render time. */
  stroked: string[];
  /** Filled shapes and text, drawn as they are. */
  filled: string[];
}

const d = (stroked: string[], filled: string[] = []): IconDrawing => ({ stroked, filled });
const dots = (pts: Array<[number, number]>, r: number): string =>
  pts.map(([x, y]) => `<circle cx="${x}" cy="${y}" r="${r}"/>`).join('');

export const ICON_SVGS: Record<IconName, IconDrawing> = {
  close: d(['<path d="M6 6L18 18M18 6L6 18"/>']),
  minimize: d(['<path d="M5 12H19"/>']),
  // Plain, and with the thick top edge of a window (common in window-manager themes).
  maximize: d([
    '<rect x="5" y="5" width="14" height="14"/>',
    '<rect x="5" y="5" width="14" height="14"/><path d="M5 7H19" stroke-width="4"/>',
  ]),
  back: d(['<path d="M19 12H5M11 6L5 12L11 18"/>', '<path d="M15 5L8 12L15 19"/>']),
  forward: d(['<path d="M5 12H19M13 6L19 12L13 18"/>', '<path d="M9 5L16 12L9 19"/>']),
  search: d([
    '<circle cx="10" cy="10" r="6.5"/><path d="M15 15L20.5 20.5"/>',
    '<circle cx="14" cy="10" r="6.5"/><path d="M9 15L3.5 20.5"/>',
  ]),
  settings: d(
    [
      `<path d="${gearPath(8, 10, 7.5)}"/><circle cx="12" cy="12" r="3"/>`,
      `<path d="${gearPath(6, 10, 7)}"/><circle cx="12" cy="12" r="3.5"/>`,
    ],
    [
      `<path fill-rule="evenodd" d="${gearPath(8, 10, 7.5)}M12 8.5A3.5 3.5 0 1 0 12.01 8.5Z"/>`,
      `<path fill-rule="evenodd" d="${gearPath(6, 10, 7)}M12 8A4 4 0 1 0 12.01 8Z"/>`,
    ],
  ),
  menu: d(
    ['<path d="M4 6H20M4 12H20M4 18H20"/>'],
    ['<path d="M3 5H21V7.5H3ZM3 10.75H21V13.25H3ZM3 16.5H21V19H3Z"/>'],
  ),
  add: d(['<path d="M12 4V20M4 12H20"/>'], text('+')),
  delete: d([
    '<path d="M4 6H20M9 6V3.5H15V6M6 6L7 21H17L18 6"/>',
    '<path d="M4 6H20M9 6V3.5H15V6M6 6L7 21H17L18 6M10 10V17M14 10V17"/>',
  ]),
  checkbox: d(
    ['<rect x="3" y="3" width="18" height="18" rx="2.5"/><path d="M7 12L10.5 15.5L17 8.5"/>'],
    [
      '<path fill-rule="evenodd" d="M5 3H19A2 2 0 0 1 21 5V19A2 2 0 0 1 19 21H5A2 2 0 0 1 3 19V5A2 2 0 0 1 5 3ZM6.5 12L10.5 16L17.5 8.5L16 7L10.5 13L8 10.5Z"/>',
    ],
  ),
  dropdown: d(['<path d="M5 9L12 16L19 9"/>'], ['<path d="M5 9H19L12 17Z"/>']),
  star: d([`<path d="${starPath(10, 4.2)}"/>`], [`<path d="${starPath(10, 4.2)}"/>`]),
  upload: d([
    '<path d="M12 16V4M7 9L12 4L17 9M4 15V19A2 2 0 0 0 6 21H18A2 2 0 0 0 20 19V15"/>',
    '<path d="M12 17V4M6 10L12 4L18 10M5 21H19"/>',
  ]),
  download: d([
    '<path d="M12 3V15M7 10L12 15L17 10M4 15V19A2 2 0 0 0 6 21H18A2 2 0 0 0 20 19V15"/>',
    '<path d="M12 3V16M6 10L12 16L18 10M5 21H19"/>',
  ]),
  refresh: d([
    '<path d="M20 12A8 8 0 1 1 17.7 6.3M20 3V8H15"/>',
    '<path d="M4 12A8 8 0 0 1 18 6.7M18 2.5V7H13.5M20 12A8 8 0 0 1 6 17.3M6 21.5V17H10.5"/>',
  ]),
  home: d([
    '<path d="M3 11L12 3L21 11M5.5 9V21H18.5V9"/>',
    '<path d="M3 11L12 3L21 11M5.5 9V21H10V15H14V21H18.5V9"/>',
  ]),
  edit: d([
    '<path d="M16 3.5L20.5 8L8 20.5H3.5V16Z"/>',
    '<path d="M16 3.5L20.5 8L8 20.5H3.5V16ZM13.5 6L18 10.5"/>',
  ]),
  save: d(['<path d="M5 3H16L21 8V21H3V3ZM7 3V8H15V3M7 21V14H17V21"/>']),
  copy: d([
    '<rect x="9" y="9" width="12" height="12" rx="2"/><path d="M5 15H4A1 1 0 0 1 3 14V4A1 1 0 0 1 4 3H14A1 1 0 0 1 15 4V5"/>',
  ]),
  print: d(['<path d="M6 9V3H18V9M6 18H4V10H20V18H18M6 14H18V21H6Z"/>']),
  share: d([
    `${dots(
      [
        [18, 5],
        [6, 12],
        [18, 19],
      ],
      2.8,
    )}<path d="M8.5 10.7L15.5 6.3M8.5 13.3L15.5 17.7"/>`,
  ]),
  info: d(['<circle cx="12" cy="12" r="10"/><path d="M12 16V11M12 8H12.01"/>']),
  help: d([
    '<circle cx="12" cy="12" r="10"/><path d="M9.2 9A3 3 0 0 1 15 10C15 12 12 12.5 12 14M12 17.5H12.01"/>',
  ]),
  notifications: d([
    '<path d="M6 16V10A6 6 0 0 1 18 10V16L20 18H4ZM10 21H14"/>',
    '<path d="M18 8A6 6 0 0 0 6 8C6 15 3 17 3 17H21S18 15 18 8M13.7 21A2 2 0 0 1 10.3 21"/>',
  ]),
  user: d(
    [
      '<circle cx="12" cy="8" r="4"/><path d="M4 21V20A6 6 0 0 1 10 14H14A6 6 0 0 1 20 20V21"/>',
      '<circle cx="12" cy="12" r="10"/><circle cx="12" cy="10" r="3"/><path d="M6.2 18.5A7 7 0 0 1 17.8 18.5"/>',
    ],
    ['<circle cx="12" cy="7.5" r="4.5"/><path d="M3 21A9 7 0 0 1 21 21Z"/>'],
  ),
  calendar: d([
    '<rect x="3" y="4.5" width="18" height="17" rx="2"/><path d="M3 10H21M8 2.5V6.5M16 2.5V6.5"/>',
  ]),
  filter: d(['<path d="M3 4H21L14 12.5V19L10 21V12.5Z"/>']),
  more: d(
    [],
    [
      dots(
        [
          [5, 12],
          [12, 12],
          [19, 12],
        ],
        2,
      ),
      dots(
        [
          [12, 5],
          [12, 12],
          [12, 19],
        ],
        2,
      ),
    ],
  ),
  external: d([
    '<path d="M18 13V19A2 2 0 0 1 16 21H5A2 2 0 0 1 3 19V8A2 2 0 0 1 5 6H11M15 3H21V9M10 14L21 3"/>',
  ]),
  lock: d(['<rect x="4" y="11" width="16" height="10" rx="2"/><path d="M8 11V7A4 4 0 0 1 16 7V11"/>']),
  visibility: d([
    '<path d="M1.5 12S5.5 4.5 12 4.5S22.5 12 22.5 12S18.5 19.5 12 19.5S1.5 12 1.5 12Z"/><circle cx="12" cy="12" r="3"/>',
  ]),
  // Only the typed characters: a drawn bar is the minimise icon's shape, and the grounder takes
  // one for the other (LOOKALIKES), so labels keep calling a window's bar "minimize".
  minus: d([], text('-').concat(text('−'))),
  undo: d([
    '<path d="M9 14L4 9L9 4M4 9H15A5.5 5.5 0 0 1 15 20H11"/>',
    '<path d="M3 7V13H9M3.5 13A9 9 0 1 0 6 6.5L3 9.5"/>',
  ]),
  redo: d([
    '<path d="M15 14L20 9L15 4M20 9H9A5.5 5.5 0 0 0 9 20H13"/>',
    '<path d="M21 7V13H15M20.5 13A9 9 0 1 1 18 6.5L21 9.5"/>',
  ]),
  attach: d([
    '<path d="M21 11.5L12.5 20A5.5 5.5 0 0 1 4.5 12.5L13 4A3.7 3.7 0 0 1 18.3 9.2L9.8 17.7A1.8 1.8 0 0 1 7.3 15.2L15 7.5"/>',
  ]),
  microphone: d([
    '<rect x="9" y="2" width="6" height="12" rx="3"/><path d="M5 10V11A7 7 0 0 0 19 11V10M12 18V22M8 22H16"/>',
  ]),
  image: d([
    '<rect x="3" y="3" width="18" height="18" rx="2"/><circle cx="8.5" cy="8.5" r="1.5"/><path d="M21 15L16 10L5 21"/>',
  ]),
  play: d(['<path d="M6 3L20 12L6 21Z"/>'], ['<path d="M6 3L20 12L6 21Z"/>']),
  pause: d(['<path d="M8 4V20M16 4V20"/>'], ['<path d="M5 4H10V20H5ZM14 4H19V20H14Z"/>']),
  grid: d([
    '<rect x="3" y="3" width="7" height="7"/><rect x="14" y="3" width="7" height="7"/><rect x="3" y="14" width="7" height="7"/><rect x="14" y="14" width="7" height="7"/>',
  ]),
  list: d([
    '<path d="M8 6H21M8 12H21M8 18H21M3.5 6H3.6M3.5 12H3.6M3.5 18H3.6"/>',
    '<path d="M3 6H21M3 12H21M3 18H15"/>',
  ]),
  link: d([
    '<path d="M10 13.5A5 5 0 0 0 17.5 14L20.5 11A5 5 0 0 0 13.4 3.9L11.7 5.6M14 10.5A5 5 0 0 0 6.5 10L3.5 13A5 5 0 0 0 10.6 20.1L12.3 18.4"/>',
  ]),
  bold: d([], text('B', 'font-weight="bold"')),
  italic: d(
    [],
    text('I', 'font-style="italic"', ['DejaVu Sans', 'DejaVu Serif', 'Nimbus Sans']).concat([
      '<path d="M10 4H18M6 20H14M14.5 4L9.5 20" fill="none" stroke="#000" stroke-width="2"/>',
    ]),
  ),
  underline: d(['<path d="M6 3V10A6 6 0 0 0 18 10V3M4 21H20"/>'], text('U', 'text-decoration="underline"')),
  archive: d(['<rect x="2.5" y="3.5" width="19" height="5"/><path d="M4.5 8.5V20.5H19.5V8.5M10 12.5H14"/>']),
  mail: d(['<rect x="2.5" y="4.5" width="19" height="15" rx="2"/><path d="M3 6L12 13L21 6"/>']),
  toggle: d(
    [
      '<rect x="1" y="6" width="22" height="12" rx="6"/><circle cx="8" cy="12" r="3.5"/>',
      '<rect x="1" y="6" width="22" height="12" rx="6"/><circle cx="16" cy="12" r="3.5"/>',
    ],
    [
      '<path fill-rule="evenodd" d="M7 6H17A6 6 0 0 1 17 18H7A6 6 0 0 1 7 6ZM17 8A4 4 0 1 0 17.01 8Z"/>',
      '<path fill-rule="evenodd" d="M7 6H17A6 6 0 0 1 17 18H7A6 6 0 0 1 7 6ZM7 8A4 4 0 1 0 7.01 8Z"/>',
    ],
  ),
  first: d(['<path d="M11 17L6 12L11 7M18 17L13 12L18 7"/>', '<path d="M17 17L12 12L17 7M7 6V18"/>']),
  last: d(['<path d="M13 17L18 12L13 7M6 17L11 12L6 7"/>', '<path d="M7 17L12 12L7 7M17 6V18"/>']),
  percent: d([], text('%')),
  multiply: d([], text('×').concat(text('*'))),
  divide: d([], text('÷').concat(text('/'))),
  equals: d([], text('=')),
  decimal: d([], text('.').concat(text(','))),
  open_bracket: d([], text('(')),
  close_bracket: d([], text(')')),
  plus_minus: d([], text('±').concat(text('+/-'))),
  backspace: d(
    ['<path d="M21 4H8L1 12L8 20H21ZM17 9L11 15M11 9L17 15"/>'],
    text('←').concat(text('&lt;-'), text('⌫')),
  ),
};

export const STROKED_STYLE = S;
export const FILLED_STYLE = F;

/**
 * Glyphs that are not icons but sit on buttons just like them (digits, letters). They compete
 * in classification so that a "7" button is not taken for the nearest-looking symbol.
 */
export const NOT_ICONS: string[] = [...'0123456789ACMSRx'].flatMap((c) => text(c));
