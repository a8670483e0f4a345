/**
 * The built-in icon vocabulary: names and the words people use for them. The drawings the
 * exemplars are rendered from live in drawings.ts.
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
  // Common toolbar and list icons.
  'star',
  'upload',
  'download',
  'refresh',
  'home',
  'edit',
  'save',
  'copy',
  'print',
  'share',
  'info',
  'help',
  'notifications',
  'user',
  'calendar',
  'filter',
  'more',
  'external',
  'lock',
  'visibility',
  'minus',
  'undo',
  'redo',
  'attach',
  'microphone',
  'image',
  'play',
  'pause',
  'grid',
  'list',
  'link',
  'bold',
  'italic',
  'underline',
  'archive',
  'mail',
  'toggle',
  'first',
  'last',
  // Symbols on calculator-style buttons, drawn as the characters themselves.
  'percent',
  'multiply',
  'divide',
  'equals',
  'decimal',
  'open_bracket',
  'close_bracket',
  'plus_minus',
  'backspace',
] as const;
export type IconName = (typeof ICON_NAMES)[number];

/**
 * Words (lower case) → icon. Strong words name the icon outright; weak ones (verbs that many
 * instructions use) count only when no strong word is in the instruction, so "switch to list
 * view" is the list icon and "toggle automatic updates" the switch.
 */
const STRONG: Partial<Record<IconName, string[]>> = {
  close: ['close', 'x', '×', 'dismiss', 'cross'],
  minimize: ['minimize', 'minimise', 'minimized'],
  maximize: ['maximize', 'maximise', 'maximized'],
  back: ['back', 'previous', 'prev', 'backward', 'backwards'],
  forward: ['forward', 'next', 'forwards'],
  search: ['search', 'magnifier', 'magnifying', 'find', 'lookup'],
  settings: ['settings', 'setting', 'gear', 'cog', 'preferences', 'prefs', 'options'],
  menu: ['menu', 'hamburger', 'burger'],
  add: ['add', 'plus', 'increase', 'increment', 'sum'],
  delete: ['delete', 'trash', 'bin', 'garbage', 'wastebasket'],
  checkbox: ['checkbox', 'checkboxes', 'tickbox', 'check'],
  dropdown: ['dropdown', 'drop-down', 'caret', 'expand', 'chevron'],
  star: ['star', 'favourite', 'favorite', 'bookmark', 'starred'],
  upload: ['upload'],
  download: ['download'],
  refresh: ['refresh', 'reload'],
  home: ['home'],
  edit: ['edit', 'pencil', 'rename'],
  save: ['save', 'floppy'],
  copy: ['copy', 'duplicate'],
  print: ['print', 'printer'],
  share: ['share'],
  info: ['info', 'information', 'details'],
  help: ['help', 'question'],
  notifications: ['notifications', 'notification', 'bell', 'alerts', 'alert'],
  user: ['account', 'profile', 'user', 'avatar'],
  calendar: ['calendar'],
  filter: ['filter', 'funnel'],
  more: ['more', 'kebab', 'ellipsis', 'overflow', 'actions'],
  external: ['external'],
  lock: ['lock', 'padlock'],
  visibility: ['eye', 'visibility', 'reveal', 'unhide'],
  minus: ['minus', 'decrease', 'decrement', 'subtract', 'reduce'],
  undo: ['undo'],
  redo: ['redo'],
  attach: ['attach', 'attachment', 'paperclip'],
  microphone: ['microphone', 'mic', 'dictate'],
  image: ['image', 'picture', 'photo'],
  play: ['play'],
  pause: ['pause'],
  grid: ['grid', 'tiles', 'thumbnails'],
  list: ['list'],
  link: ['link', 'hyperlink'],
  bold: ['bold'],
  italic: ['italic', 'italics'],
  underline: ['underline', 'underlined'],
  archive: ['archive'],
  mail: ['mail', 'email', 'envelope', 'compose'],
  first: ['first'],
  last: ['last'],
  percent: ['percent', 'percentage', '%'],
  multiply: ['multiply', 'times', 'multiplication'],
  divide: ['divide', 'division'],
  equals: ['equals', 'equal', 'enter'],
  decimal: ['decimal', 'dot', 'period'],
  backspace: ['backspace'],
};
const WEAK: Partial<Record<IconName, string[]>> = {
  add: ['new', 'create'],
  delete: ['remove'],
  close: ['clear'],
  checkbox: ['select', 'tick'],
  toggle: ['toggle', 'switch', 'enable', 'disable'],
};

/** Phrases read before single words ("close bracket" is not the close button). */
const PHRASES: Array<[RegExp, IconName]> = [
  [/\b(open|left) (bracket|paren|parenthesis)\b/, 'open_bracket'],
  [/\b(close|right) (bracket|paren|parenthesis)\b/, 'close_bracket'],
  [/\b(change sign|plus minus|plus-minus|negate)\b/, 'plus_minus'],
  [/\bdecimal point\b/, 'decimal'],
  [/\b(first|last) page\b.*/, 'first'],
  [/\bthree dots\b/, 'more'],
  [/\bexternal link\b/, 'external'],
];

function tokensOf(words: string): string[] {
  return words
    .toLowerCase()
    .replace(/check box|tick box/g, 'checkbox')
    .replace(/drop down/g, 'dropdown')
    .split(/[^a-z×%-]+/)
    .filter(Boolean);
}

function firstNamed(tokens: string[], table: Partial<Record<IconName, string[]>>): IconName | undefined {
  for (const t of tokens) {
    for (const name of ICON_NAMES) if (table[name]?.includes(t)) return name;
  }
  return undefined;
}

/**
 * The vocabulary icon a target's words name, the first one mentioned ("the close button of the
 * settings dialog" → close). undefined when no word names one.
 */
export function iconNamed(words: string): IconName | undefined {
  const lower = words.toLowerCase();
  for (const [re, name] of PHRASES) {
    const m = re.exec(lower);
    if (m) return name === 'first' && m[1] === 'last' ? 'last' : name;
  }
  const tokens = tokensOf(words);
  return firstNamed(tokens, STRONG) ?? firstNamed(tokens, WEAK);
}

/** The words of an instruction that name its icon (so the rest can be read as an anchor). */
export function iconWords(): Set<string> {
  const all = new Set<string>();
  for (const table of [STRONG, WEAK])
    for (const list of Object.values(table)) for (const w of list) all.add(w);
  return all;
}

/**
 * Icons drawn with the same shape: a minus is a minimise bar, a tick box a checkbox. The grounder
 * accepts either name for the other.
 */
export const LOOKALIKES: Partial<Record<IconName, IconName[]>> = {
  minus: ['minimize'],
  minimize: ['minus'],
};

/**
 * Icons that buttons often show as plain characters, which OCR may read as text: a text element
 * that is exactly one of these is that icon.
 */
export const SYMBOL_TEXT: Partial<Record<IconName, string[]>> = {
  percent: ['%'],
  multiply: ['*', '×', 'x'],
  divide: ['/', '÷'],
  minus: ['-', '−', '–'],
  add: ['+'],
  equals: ['='],
  decimal: ['.', ','],
  open_bracket: ['('],
  close_bracket: [')'],
  plus_minus: ['+/-', '±', '+-'],
  backspace: ['<-', '←', '⌫', '<'],
};
