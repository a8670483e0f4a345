import { UserInputError } from '../../shared/errors.js';
import type { Row } from './params.js';

/**
 * Reads CSV data for `repeat: { for_each_row }`: a header row names the columns; fields may be
 * quoted ("a, b", "say ""hi""") and quoted fields may hold newlines. Blank lines are skipped.
 */
export function parseCsv(text: string, file = 'data.csv'): Row[] {
  const records = splitRecords(text.replace(/^\uFEFF/, ''), file);
  const header = records.shift();
  if (!header) throw new UserInputError('the CSV file is empty: it needs a header row', { file, line: 1, column: 1 });
  const names = header.fields.map((h) => h.trim());
  names.forEach((n, i) => {
    if (n === '') throw new UserInputError(`column ${i + 1} of the header has no name`, { file, line: 1, column: 1 });
    if (names.indexOf(n) !== i) throw new UserInputError(`the header names column "${n}" twice`, { file, line: 1, column: 1 });
  });
  return records.map((r) => {
    if (r.fields.length !== names.length) {
      throw new UserInputError(`expected ${names.length} fields (${names.join(', ')}), found ${r.fields.length}`, { file, line: r.line, column: 1 });
    }
    return Object.fromEntries(names.map((n, i) => [n, r.fields[i] ?? '']));
  });
}

function splitRecords(text: string, file: string): { fields: string[]; line: number }[] {
  const out: { fields: string[]; line: number }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  let any = false;
  const endField = () => {
    fields.push(field);
    field = '';
  };
  const endRecord = () => {
    endField();
    if (any || fields.some((f) => f !== '')) out.push({ fields, line: start });
    fields = [];
    any = false;
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else {
        if (ch === '\n') line++;
        field += ch;
      }
      continue;
    }
    if (ch === '"' && field === '') {
      quoted = true;
      any = true;
    } else if (ch === ',') {
      endField();
      any = true;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      start = line;
    } else field += ch;
  }
  if (quoted) throw new UserInputError('a quoted field is not closed', { file, line: start, column: 1 });
  if (field !== '' || fields.length) endRecord();
  return out;
}
