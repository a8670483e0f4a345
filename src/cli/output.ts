import { AppError, UserInputError, serializeError, type SerializedError } from '../shared/errors.js';

/**
 * What a command writes. stdout carries the result (text, or one JSON document with --json);
 * stderr carries errors and logs, so `deskpilot ... --json | jq` always sees valid JSON.
 */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Record<string, string | undefined>;
}

export function processIo(): CliIo {
  return {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    env: process.env,
  };
}

export class Output {
  constructor(
    readonly io: CliIo,
    readonly json: boolean,
  ) {}

  /** A line of human output; nothing in --json mode. */
  line(text = ''): void {
    if (!this.json) this.io.stdout(text + '\n');
  }

  /** The one JSON document of --json mode; nothing otherwise. */
  document(value: Record<string, unknown>): void {
    if (this.json) this.io.stdout(JSON.stringify(value, null, 2) + '\n');
  }

  /** Reports a failure and returns the exit code: 2 for usage errors, 1 for the rest. */
  error(err: unknown, options: { debug?: boolean; usage?: boolean } = {}): number {
    const serialized: SerializedError = serializeError(err);
    if (this.json) {
      this.io.stdout(JSON.stringify({ ok: false, error: serialized }, null, 2) + '\n');
    } else {
      // An error of ours has a message meant for people; anything else is a bug, said so.
      const known = err instanceof AppError;
      const prefix = known ? '' : 'internal error: ';
      this.io.stderr(`deskpilot: ${prefix}${serialized.message}\n`);
      if (options.debug && err instanceof Error && err.stack) this.io.stderr(stackOf(err) + '\n');
      else if (!known) this.io.stderr('deskpilot: rerun with --log-level debug to see where it happened\n');
    }
    return options.usage || err instanceof UsageError ? 2 : 1;
  }
}

/** A wrong command line found after commander parsed it (e.g. a bad --limit). */
export class UsageError extends UserInputError {
  constructor(message: string) {
    super(message, {}, { code: 'USAGE' });
  }
}

function stackOf(err: Error): string {
  let s = err.stack ?? '';
  let cause: unknown = err.cause;
  for (let i = 0; cause instanceof Error && i < 5; i++) {
    s += `\nCaused by: ${cause.stack ?? cause.message}`;
    cause = cause.cause;
  }
  return s;
}
