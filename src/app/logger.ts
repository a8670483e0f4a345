import { pino, type Logger as PinoLogger, type LoggerOptions as PinoOptions } from 'pino';
import type { LogLevel } from '../shared/config.js';
import { REDACTED_KEYS, REDACTION, maskSecrets, type Logger } from '../shared/logger.js';

/**
 * The real Logger: pino, one JSON line per entry, on stderr (stdout carries command output and
 * --json documents) or in a file. Secrets are removed here, at the logger, so no caller has to
 * remember: fields named like secrets or typed text are redacted by key, and the values of
 * resolved secrets are masked wherever they appear in any string.
 */

export interface LoggerOptions {
  level: LogLevel;
  /** 'stderr' (default) or a file path, appended to. */
  destination?: 'stderr' | (string & {});
  /** Secret values resolved so far; read at every entry, so secrets resolved later are masked too. */
  secrets?: () => Iterable<string>;
}

/** Key paths redacted by pino: each key at the top level and up to three objects down. */
export function redactPaths(): string[] {
  const prefixes = ['', '*.', '*.*.', '*.*.*.'];
  return REDACTED_KEYS.flatMap((k) => prefixes.map((p) => p + k));
}

export function createLogger(options: LoggerOptions): Logger {
  const secrets = options.secrets ?? (() => []);
  const mask = (s: string): string => maskSecrets(s, secrets());
  const dest = options.destination ?? 'stderr';
  // Synchronous writes: a CLI that exits right after an error must not lose the entry.
  const stream = pino.destination({
    dest: dest === 'stderr' ? 2 : dest,
    sync: true,
    mkdir: dest !== 'stderr',
  });
  const config: PinoOptions = {
    level: options.level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: redactPaths(), censor: REDACTION },
    formatters: {
      level: (label) => ({ level: label }),
      log: (obj) => maskDeep(obj, mask) as Record<string, unknown>,
    },
    hooks: {
      // The message string never passes through formatters.log, so it is masked here.
      logMethod(args, method) {
        const masked = args.map((a: unknown) => (typeof a === 'string' ? mask(a) : a));
        method.apply(this, masked as Parameters<typeof method>);
      },
    },
  };
  return wrap(pino(config, stream), mask);
}

function wrap(p: PinoLogger, mask: (s: string) => string): Logger {
  return {
    trace: (obj, msg) => p.trace(obj, msg),
    debug: (obj, msg) => p.debug(obj, msg),
    info: (obj, msg) => p.info(obj, msg),
    warn: (obj, msg) => p.warn(obj, msg),
    error: (obj, msg) => p.error(obj, msg),
    // Bindings are serialized once, when the child is made, so they are masked here.
    child: (bindings) => wrap(p.child(maskDeep(bindings, mask) as Record<string, unknown>), mask),
  };
}

/** Copies a value with every string masked; errors become plain objects, keeping their fields. */
function maskDeep(value: unknown, mask: (s: string) => string, depth = 0): unknown {
  if (typeof value === 'string') return mask(value);
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    // Same class, so that pino's error serializer still reports the error's type.
    const copy = Object.create(Object.getPrototypeOf(value) as object) as Record<string, unknown>;
    for (const k of Object.getOwnPropertyNames(value)) {
      copy[k] = maskDeep((value as unknown as Record<string, unknown>)[k], mask, depth + 1);
    }
    return copy;
  }
  if (Array.isArray(value)) return value.map((v) => maskDeep(v, mask, depth + 1));
  if (value instanceof Uint8Array || value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = maskDeep(v, mask, depth + 1);
  return out;
}
