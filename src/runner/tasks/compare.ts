import type { ComparisonName } from './schema.js';

/** The comparisons of an evaluator check: actual text from a getter against the expected value. */

export interface Comparison {
  passed: boolean;
  /** Why it did not pass, when the values alone do not say it (bad JSON, row counts). */
  detail?: string;
}

export function compare(kind: ComparisonName, actual: string, expected: unknown): Comparison {
  switch (kind) {
    case 'exact':
      // Trailing whitespace is noise from `echo`, editors and terminals, never what a test means.
      return { passed: actual.trimEnd() === String(expected).trimEnd() };
    case 'contains':
      return { passed: actual.includes(String(expected)) };
    case 'regex':
      return { passed: new RegExp(String(expected), 'm').test(actual) };
    case 'json':
      return compareJson(actual, expected);
    case 'csv':
      return compareCsv(actual, expected);
  }
}

function compareJson(actual: string, expected: unknown): Comparison {
  let value: unknown;
  try {
    value = JSON.parse(actual);
  } catch (err) {
    return { passed: false, detail: `the actual value is not JSON (${(err as Error).message})` };
  }
  return deepEqual(value, expected) ? { passed: true } : { passed: false, detail: 'JSON values differ' };
}

/** Deep equality of JSON values; object key order does not matter, array order does. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  if (typeof a === 'object' && typeof b === 'object' && a !== null && b !== null) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    if (ka.length !== kb.length) return false;
    return ka.every(
      (k) =>
        Object.hasOwn(b, k) &&
        deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
    );
  }
  return false;
}

function compareCsv(actual: string, expected: unknown): Comparison {
  const want =
    typeof expected === 'string'
      ? parseCsv(expected)
      : (expected as unknown[][]).map((r) => r.map((c) => String(c).trim()));
  const got = parseCsv(actual);
  if (got.length !== want.length)
    return { passed: false, detail: `${got.length} rows, expected ${want.length}` };
  for (let i = 0; i < got.length; i++) {
    const g = got[i] ?? [];
    const w = want[i] ?? [];
    if (g.length !== w.length || g.some((c, j) => c !== w[j])) {
      return { passed: false, detail: `row ${i + 1} is ${JSON.stringify(g)}, expected ${JSON.stringify(w)}` };
    }
  }
  return { passed: true };
}

/** RFC 4180 CSV: quoted cells with "" escapes and embedded newlines; cells trimmed, blank lines dropped. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  let wasQuoted = false;
  const endCell = () => {
    row.push(wasQuoted ? cell : cell.trim());
    cell = '';
    wasQuoted = false;
  };
  const endRow = () => {
    endCell();
    if (!(row.length === 1 && row[0] === '')) rows.push(row);
    row = [];
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"' && cell.trim() === '') {
      quoted = true;
      wasQuoted = true;
      cell = '';
    } else if (ch === ',') endCell();
    else if (wasQuoted && (ch === ' ' || ch === '\t'))
      continue; // spaces after a closing quote
    else if (ch === '\n') endRow();
    else if (ch !== '\r') cell += ch;
  }
  if (cell !== '' || row.length) endRow();
  return rows;
}
