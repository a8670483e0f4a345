import { Modifier, Step, type StepInput } from '../../shared/steps.js';
import { Cursor } from './cursor.js';
import { closest, splitCommands } from './lexer.js';
import { parseTarget } from './target.js';

/**
 * The direct-command language: what a person types in the chat, and what macros and tasks
 * reuse. It needs no model. Commands are separated by `;` or newlines; `#` starts a comment.
 *
 *   click "Save"            double-click "report.txt"     right-click "Desktop"
 *   ctrl+click "a.txt"      click the second "Delete"      click "Name" field right of "Label"
 *   click at 640, 400       hover "File"                   type "hello" into "Name"
 *   press ctrl+s            press tab 3 times              scroll down 3 in "Results"
 *   drag "a.txt" to "Trash" wait for "Saved" 10s           wait 2s
 *   assert visible "Done"   assert not visible "Error"     open "mousepad"    done
 */

export interface ParsedCommand {
  step: Step;
  text: string;
  line: number;
  column: number;
}

const CLICKS: Record<string, { button: 'left' | 'right' | 'middle'; count: 1 | 2 | 3 }> = {
  click: { button: 'left', count: 1 },
  'double-click': { button: 'left', count: 2 },
  doubleclick: { button: 'left', count: 2 },
  'triple-click': { button: 'left', count: 3 },
  'right-click': { button: 'right', count: 1 },
  rightclick: { button: 'right', count: 1 },
  'middle-click': { button: 'middle', count: 1 },
};
export const COMMANDS = [
  ...Object.keys(CLICKS),
  'hover', 'move', 'type', 'press', 'scroll', 'drag', 'wait', 'assert', 'open', 'launch', 'done', 'fail',
] as const;

export function parseCommands(source: string, file = 'command'): ParsedCommand[] {
  return splitCommands(source, file).map((cmd) => {
    const c = new Cursor(cmd, file);
    const input = parseOne(c);
    c.expectEnd();
    const parsed = Step.safeParse(input);
    if (!parsed.success) throw c.error(parsed.error.issues[0]?.message ?? 'invalid command', cmd.column);
    return { step: parsed.data, text: cmd.text, line: cmd.line, column: cmd.column };
  });
}

function parseOne(c: Cursor): StepInput {
  const verbTok = c.next()!;
  if (verbTok.kind !== 'word') throw c.error('a command starts with a verb such as click, type or press', verbTok.column);
  const parts = verbTok.value.toLowerCase().split('+');
  const verb = parts.pop()!;
  const modifiers = parts.map((m) => parseModifier(c, m, verbTok.column));
  if (modifiers.length && !CLICKS[verb] && verb !== 'drag') {
    throw c.error(`modifiers go with clicks and drags; to press keys, write: press ${verbTok.value}`, verbTok.column);
  }
  const mods = modifiers.length ? { modifiers } : {};
  const click = CLICKS[verb];
  if (click) {
    const target = parseTarget(c);
    const withMods = c.acceptWord('with') ? c.expectAny('a modifier').split('+').map((m) => parseModifier(c, m, c.column())) : [];
    const all = [...modifiers, ...withMods];
    return { kind: 'click', target, button: click.button, count: click.count, ...(all.length ? { modifiers: all } : {}) };
  }
  switch (verb) {
    case 'hover':
      return { kind: 'hover', target: parseTarget(c) };
    case 'move':
      c.acceptWord('to');
      return { kind: 'hover', target: parseTarget(c) };
    case 'type': {
      const text = c.expectString('the text to type in quotes, e.g. type "hello"');
      if (c.acceptWord('into', 'in')) return { kind: 'type', text, target: parseTarget(c) };
      return { kind: 'type', text };
    }
    case 'press': {
      const keys = parseChord(c);
      return { kind: 'key', keys, repeat: parseTimes(c) };
    }
    case 'scroll': {
      const direction = c.acceptWord('up', 'down', 'left', 'right');
      if (!direction) throw c.error('expected a direction: up, down, left or right', c.column());
      const amount = c.peek()?.kind === 'number' ? c.expectNumber('an amount') : 3;
      const target = c.acceptWord('in', 'on', 'over') ? parseTarget(c) : undefined;
      return { kind: 'scroll', direction: direction as 'up', amount, ...(target ? { target } : {}) };
    }
    case 'drag': {
      const from = parseTarget(c);
      if (!c.acceptWord('to', 'onto')) throw c.error('expected "to" and where to drop it', c.column());
      return { kind: 'drag', from, to: parseTarget(c), ...mods };
    }
    case 'wait':
      return parseWait(c);
    case 'assert': {
      const not = c.acceptWord('not') !== undefined;
      if (!c.acceptWord('visible')) throw c.error('expected "visible" or "not visible"', c.column());
      return { kind: 'assert', condition: not ? 'not_visible' : 'visible', target: parseTarget(c) };
    }
    case 'open':
    case 'launch': {
      const app = c.acceptString() ?? c.expectAny('a program, file or URL to open');
      const args: string[] = [];
      while (!c.done()) args.push(c.next()!.value);
      return { kind: 'launch', app, args };
    }
    case 'done':
      return { kind: 'done', success: true, ...(c.peek() ? { summary: c.expectString('a summary in quotes') } : {}) };
    case 'fail':
      return { kind: 'done', success: false, summary: c.expectString('why, in quotes') };
    default: {
      const hint = closest(verb, COMMANDS);
      throw c.error(
        `unknown command "${verbTok.value}"` + (hint ? `; did you mean "${hint}"?` : `; commands are: ${COMMANDS.join(', ')}`),
        verbTok.column,
      );
    }
  }
}

function parseModifier(c: Cursor, m: string, column: number): Modifier {
  const alias: Record<string, Modifier> = { control: 'ctrl', cmd: 'meta', super: 'meta', win: 'meta', option: 'alt' };
  const name = alias[m] ?? m;
  const r = Modifier.safeParse(name);
  if (!r.success) throw c.error(`unknown modifier "${m}" (ctrl, shift, alt, meta)`, column);
  return r.data;
}

function parseChord(c: Cursor): string {
  const first = c.acceptString() ?? c.next()?.value;
  if (!first) throw c.error('expected keys to press, e.g. press ctrl+s', c.endColumn());
  let chord = first;
  while (c.acceptPunct('+')) chord += '+' + c.expectAny('a key after +');
  return chord.toLowerCase();
}

function parseTimes(c: Cursor): number {
  const t = c.peek();
  if (t?.kind === 'word' && /^\d+x$/.test(t.value)) {
    c.next();
    return Number(t.value.slice(0, -1));
  }
  if (t?.kind === 'number') {
    const n = c.expectNumber('a count');
    c.acceptWord('times', 'time');
    return n;
  }
  return 1;
}

function parseWait(c: Cursor): StepInput {
  if (c.acceptWord('for', 'until')) {
    const target = parseTarget(c);
    const ms = parseDuration(c);
    return { kind: 'wait', for: target, ...(ms !== undefined ? { timeoutMs: ms } : {}) };
  }
  const ms = parseDuration(c);
  if (ms === undefined) throw c.error('expected a duration such as 2s, or: wait for "text"', c.column());
  return { kind: 'wait', ms };
}

function parseDuration(c: Cursor): number | undefined {
  const t = c.peek();
  if (!t) return undefined;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(t.value);
  if (t.kind === 'word' && m) {
    c.next();
    const n = Number(m[1]);
    return Math.round(m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : n * 60_000);
  }
  if (t.kind === 'number') throw c.error('give the unit of the duration: ms, s or m (e.g. 10s)', t.column);
  return undefined;
}
