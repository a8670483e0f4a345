import { closestMatch } from '../../shared/edit-distance.js';
import { UserInputError } from '../../shared/errors.js';

/** A word, a quoted string, a number, or punctuation of the command language. */
export interface Token {
  kind: 'word' | 'string' | 'number' | 'punct';
  value: string;
  /** 1-based column in the command's line. */
  column: number;
}

/** One command: its tokens and where it starts. Commands are split on `;` and newlines. */
export interface CommandText {
  text: string;
  line: number;
  column: number;
  tokens: Token[];
}

/** Splits a script into commands and tokenises each, keeping columns for error messages. */
export function splitCommands(source: string, file?: string): CommandText[] {
  const commands: CommandText[] = [];
  source.split(/\r?\n/).forEach((lineText, i) => {
    const line = i + 1;
    let start = 0;
    let quote: string | null = null;
    for (let c = 0; c <= lineText.length; c++) {
      const ch = lineText[c];
      if (quote) {
        if (ch === '\\') c++;
        else if (ch === quote) quote = null;
        continue;
      }
      if (ch === '"' || ch === "'") quote = ch;
      else if (ch === '#' && lineText.slice(start, c).trim() === '') {
        start = lineText.length;
        break;
      } else if (ch === ';' || ch === undefined) {
        pushCommand(commands, lineText, start, c, line, file);
        start = c + 1;
      }
    }
    if (quote) {
      throw new UserInputError(`unterminated string: add the closing ${quote}`, {
        file: file ?? '<command>',
        line,
        column: lineText.lastIndexOf(quote) + 1,
      });
    }
  });
  return commands;
}

function pushCommand(out: CommandText[], lineText: string, start: number, end: number, line: number, file?: string): void {
  const raw = lineText.slice(start, end);
  if (raw.trim() === '') return;
  const lead = raw.length - raw.trimStart().length;
  out.push({
    text: raw.trim(),
    line,
    column: start + lead + 1,
    tokens: tokenize(raw, start, line, file),
  });
}

function tokenize(text: string, offset: number, line: number, file?: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    const column = offset + i + 1;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === '"' || ch === "'") {
      let value = '';
      let j = i + 1;
      for (; j < text.length && text[j] !== ch; j++) {
        if (text[j] === '\\' && j + 1 < text.length) {
          const next = text[++j]!;
          value += next === 'n' ? '\n' : next === 't' ? '\t' : next;
        } else value += text[j];
      }
      tokens.push({ kind: 'string', value, column });
      i = j + 1;
    } else if (/[0-9]/.test(ch) || (ch === '-' && /[0-9]/.test(text[i + 1] ?? ''))) {
      const m = /^-?\d+(\.\d+)?(ms|s|m|x)?/.exec(text.slice(i))!;
      tokens.push({ kind: m[2] ? 'word' : 'number', value: m[0], column });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(ch)) {
      const m = /^[A-Za-z_][\w+\-.]*/.exec(text.slice(i))!;
      tokens.push({ kind: 'word', value: m[0], column });
      i += m[0].length;
    } else if (ch === ',' || ch === '#' || ch === '(' || ch === ')' || ch === '+') {
      tokens.push({ kind: 'punct', value: ch, column });
      i++;
    } else {
      throw new UserInputError(`unexpected character ${JSON.stringify(ch)}`, { file: file ?? '<command>', line, column });
    }
  }
  return tokens;
}

export function closest(word: string, candidates: readonly string[]): string | undefined {
  return closestMatch(word, candidates);
}
