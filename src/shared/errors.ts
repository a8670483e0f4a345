/**
 * The one error hierarchy. Every error DeskPilot raises on purpose is an AppError with a
 * stable `code`, so that the CLI, IPC and reports can tell kinds apart without parsing text.
 * Errors cross process boundaries as `{name, code, message}` and are rebuilt by `fromSerialized`.
 */

export interface SerializedError {
  name: string;
  code: string;
  message: string;
}

export class AppError extends Error {
  override readonly name: string;
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }

  toJSON(): SerializedError {
    return { name: this.name, code: this.code, message: this.message };
  }
}

/** Bad input from a person: a file, a flag, a command. Carries where it is when known. */
export class UserInputError extends AppError {
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly column: number | undefined;

  constructor(
    message: string,
    where: { file?: string; line?: number; column?: number } = {},
    options?: { cause?: unknown; code?: string },
  ) {
    super(options?.code ?? 'USER_INPUT', formatWhere(where) + message, options);
    this.file = where.file;
    this.line = where.line;
    this.column = where.column;
  }
}

function formatWhere(where: { file?: string; line?: number; column?: number }): string {
  if (!where.file) return '';
  let s = where.file;
  if (where.line !== undefined) s += `:${where.line}`;
  if (where.line !== undefined && where.column !== undefined) s += `:${where.column}`;
  return s + ': ';
}

export class ConfigError extends UserInputError {}

export class CaptureError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CAPTURE', message, options);
  }
}

export class GroundingError extends AppError {
  constructor(
    message: string,
    code: 'GROUNDING_NOT_FOUND' | 'GROUNDING_AMBIGUOUS' | 'GROUNDING' = 'GROUNDING',
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

export class ModelError extends AppError {
  constructor(
    message: string,
    code: 'MODEL_UNREACHABLE' | 'MODEL_HTTP' | 'MODEL_TIMEOUT' | 'MODEL_BAD_OUTPUT' | 'MODEL' = 'MODEL',
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

export class ActionError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ACTION', message, options);
  }
}

export class PolicyDenied extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('POLICY_DENIED', message, options);
  }
}

export class Aborted extends AppError {
  constructor(message = 'aborted', options?: { cause?: unknown }) {
    super('ABORTED', message, options);
  }
}

/** The person took the mouse or keyboard: the run pauses instead of fighting them. */
export class TakenOver extends AppError {
  constructor(message = 'the person took over', options?: { cause?: unknown }) {
    super('TAKEN_OVER', message, options);
  }
}

export class StorageError extends AppError {
  constructor(
    message: string,
    code: 'STORAGE' | 'STORAGE_CORRUPT' | 'STORAGE_UNWRITABLE' | 'STORAGE_NOT_FOUND' = 'STORAGE',
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/** Throws `Aborted` when the signal has fired; call between and inside multi-event actions. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    const reason: unknown = signal.reason;
    if (reason instanceof AppError) throw reason;
    throw new Aborted(reason instanceof Error ? reason.message : 'aborted', { cause: reason });
  }
}

export function serializeError(err: unknown): SerializedError {
  if (err instanceof AppError) return err.toJSON();
  if (err instanceof Error) return { name: err.name, code: 'INTERNAL', message: err.message };
  return { name: 'Error', code: 'INTERNAL', message: String(err) };
}

const rebuilders: Record<string, (e: SerializedError) => AppError> = {
  UserInputError: (e) => new UserInputError(e.message, {}, { code: e.code }),
  ConfigError: (e) => new ConfigError(e.message, {}, { code: e.code }),
  CaptureError: (e) => new CaptureError(e.message),
  GroundingError: (e) => new GroundingError(e.message, e.code as 'GROUNDING'),
  ModelError: (e) => new ModelError(e.message, e.code as 'MODEL'),
  ActionError: (e) => new ActionError(e.message),
  PolicyDenied: (e) => new PolicyDenied(e.message),
  Aborted: (e) => new Aborted(e.message),
  TakenOver: (e) => new TakenOver(e.message),
  StorageError: (e) => new StorageError(e.message, e.code as 'STORAGE'),
};

/** Rebuilds an error that crossed IPC or a worker boundary, keeping its class where known. */
export function fromSerialized(e: SerializedError): AppError {
  const rebuild = rebuilders[e.name];
  return rebuild ? rebuild(e) : new AppError(e.code, e.message);
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
