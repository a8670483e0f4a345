import { UserInputError } from '../../shared/errors.js';
import type { CommandText, Token } from './lexer.js';

/** Walks the tokens of one command and builds errors that point at a column. */
export class Cursor {
  private i = 0;
  constructor(
    private readonly cmd: CommandText,
    readonly file: string,
  ) {}

  get line(): number {
    return this.cmd.line;
  }

  peek(ahead = 0): Token | undefined {
    return this.cmd.tokens[this.i + ahead];
  }

  next(): Token | undefined {
    return this.cmd.tokens[this.i++];
  }

  done(): boolean {
    return this.i >= this.cmd.tokens.length;
  }

  column(): number {
    return this.peek()?.column ?? this.endColumn();
  }

  endColumn(): number {
    return this.cmd.column + this.cmd.text.length;
  }

  acceptWord(...words: string[]): string | undefined {
    const t = this.peek();
    if (t?.kind === 'word' && words.includes(t.value.toLowerCase())) {
      this.i++;
      return t.value.toLowerCase();
    }
    return undefined;
  }

  acceptPunct(p: string): boolean {
    if (this.peek()?.kind === 'punct' && this.peek()?.value === p) {
      this.i++;
      return true;
    }
    return false;
  }

  acceptString(): string | undefined {
    return this.peek()?.kind === 'string' ? this.next()!.value : undefined;
  }

  expectString(what: string): string {
    const s = this.acceptString();
    if (s === undefined) throw this.error(`expected ${what}`, this.column());
    return s;
  }

  expectPunct(p: string): void {
    if (!this.acceptPunct(p)) throw this.error(`expected "${p}"`, this.column());
  }

  expectNumber(what: string): number {
    const t = this.peek();
    if (t?.kind !== 'number') throw this.error(`expected ${what}`, this.column());
    this.i++;
    return Number(t.value);
  }

  expectAny(what: string): string {
    const t = this.next();
    if (!t) throw this.error(`expected ${what}`, this.endColumn());
    return t.value;
  }

  /** Fails when tokens are left over: they would be silently ignored otherwise. */
  expectEnd(): void {
    const t = this.peek();
    if (t) throw this.error(`unexpected ${JSON.stringify(t.value)} here`, t.column);
  }

  error(message: string, column: number): UserInputError {
    return new UserInputError(message, { file: this.file, line: this.cmd.line, column });
  }
}
