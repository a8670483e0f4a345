/**
 * The Logger port. The core logs through this only (no console). The real implementation
 * (pino) redacts secret values and typed text at the logger, so callers need not.
 */
export interface Logger {
  trace(obj: Record<string, unknown>, msg?: string): void;
  debug(obj: Record<string, unknown>, msg?: string): void;
  info(obj: Record<string, unknown>, msg?: string): void;
  warn(obj: Record<string, unknown>, msg?: string): void;
  error(obj: Record<string, unknown>, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

/** Field names whose values are never written to a log. */
export const REDACTED_KEYS = [
  'apiKey',
  'password',
  'secret',
  'token',
  'authorization',
  'text',
  'typedText',
] as const;

export const REDACTION = '[redacted]';

/** Replaces `{{secret:NAME}}` values that were resolved, wherever they appear in a string. */
export function maskSecrets(s: string, secretValues: Iterable<string>): string {
  let out = s;
  for (const v of secretValues) {
    if (v.length >= 3) out = out.split(v).join(REDACTION);
  }
  return out;
}

export const nullLogger: Logger = {
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => nullLogger,
};
