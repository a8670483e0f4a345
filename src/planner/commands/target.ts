import type { Relation, Target } from '../../shared/target.js';
import type { Cursor } from './cursor.js';

const ORDINALS: Record<string, number> = {
  first: 1, second: 2, third: 3, fourth: 4, fifth: 5, sixth: 6, seventh: 7, eighth: 8, ninth: 9, tenth: 10,
};
export const ROLES = new Set([
  'button', 'field', 'input', 'link', 'checkbox', 'tab', 'menu', 'icon', 'item', 'label', 'dropdown', 'window', 'dialog', 'text',
]);
/** Words that end a target, because the command goes on after them. */
const STOP = new Set(['to', 'into', 'with', 'times', 'for', 'then', 'and']);

/**
 * target := [the] [ordinal] (STRING | words) [role] [#N] [relation STRING]
 *         | at X , Y | element ID | image STRING
 */
export function parseTarget(c: Cursor): Target {
  const start = c.peek();
  if (!start) throw c.error('expected a target such as "Save"', c.endColumn());
  if (c.acceptWord('at')) {
    c.acceptPunct('(');
    const x = c.expectNumber('x coordinate');
    c.expectPunct(',');
    const y = c.expectNumber('y coordinate');
    c.acceptPunct(')');
    return { point: { x, y, space: 'desktop' } };
  }
  if (c.acceptWord('element')) return { elementId: c.expectAny('an element id such as e12') };
  if (c.acceptWord('image')) return { image: c.expectString('the image file in quotes') };

  c.acceptWord('the');
  let ordinal = ordinalWord(c.peek()?.value);
  if (ordinal !== undefined) c.next();

  const t: Partial<Target> & { words?: string[] } = {};
  const str = c.acceptString();
  let role: string | undefined;
  if (str !== undefined) {
    if (str === '') throw c.error('the target text is empty', start.column);
    t.text = str;
    if (c.peek()?.kind === 'word' && ROLES.has(c.peek()!.value.toLowerCase())) role = c.next()!.value.toLowerCase();
  } else {
    const words: string[] = [];
    while (c.peek()?.kind === 'word' && !STOP.has(c.peek()!.value.toLowerCase()) && !relationAhead(c)) {
      words.push(c.next()!.value);
    }
    if (words.length === 0) throw c.error('expected a target: quoted text such as "Save", or `at X,Y`', start.column);
    const last = words[words.length - 1]!.toLowerCase();
    if (ROLES.has(last)) role = last;
    t.description = words.join(' ');
  }
  if (c.acceptPunct('#')) ordinal = c.expectNumber('an ordinal after #');
  const relation = parseRelation(c);
  const target: Target = {
    ...(t.text !== undefined ? { text: t.text } : {}),
    ...(t.description !== undefined ? { description: t.description } : {}),
    ...(role ? { role } : {}),
    ...(ordinal !== undefined ? { ordinal } : {}),
    ...(relation ? { relation } : {}),
  };
  if (target.ordinal !== undefined && (!Number.isInteger(target.ordinal) || target.ordinal < 1)) {
    throw c.error('an ordinal is a whole number from 1', start.column);
  }
  return target;
}

function ordinalWord(w: string | undefined): number | undefined {
  if (!w) return undefined;
  const m = /^(\d+)(st|nd|rd|th)$/.exec(w);
  return m ? Number(m[1]) : ORDINALS[w.toLowerCase()];
}

function relationAhead(c: Cursor): boolean {
  const w = c.peek()?.value.toLowerCase();
  const n = c.peek(1);
  if ((w === 'right' || w === 'left') && n?.value.toLowerCase() === 'of') return true;
  return (w === 'above' || w === 'below' || w === 'near' || w === 'in' || w === 'inside') && n?.kind === 'string';
}

function parseRelation(c: Cursor): Relation | undefined {
  const w = c.peek()?.value.toLowerCase();
  let kind: Relation['kind'] | undefined;
  if ((w === 'right' || w === 'left') && c.peek(1)?.value.toLowerCase() === 'of') {
    c.next();
    c.next();
    kind = w === 'right' ? 'right_of' : 'left_of';
  } else if (w === 'above' || w === 'below' || w === 'near') {
    c.next();
    kind = w;
  } else if ((w === 'in' || w === 'inside') && c.peek(1)?.kind === 'string') {
    c.next();
    kind = 'inside';
  }
  if (!kind) return undefined;
  c.acceptWord('the');
  const text = c.acceptString();
  if (text === undefined) throw c.error(`expected quoted text after "${kind.replace('_', ' ')}"`, c.column());
  return { kind, text };
}
