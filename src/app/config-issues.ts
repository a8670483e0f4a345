import { editDistance } from '../shared/edit-distance.js';
import { z } from 'zod';
import { isMap, isNode, isScalar, type Document, type LineCounter } from 'yaml';
import { Config } from '../shared/config.js';

/**
 * Turns zod issues into messages a person can act on: the key path in dotted form, the
 * closest known key for a misspelt one, and (for the config file) the line and column.
 */

export type IssuePath = ReadonlyArray<PropertyKey>;

export function dottedPath(path: IssuePath): string {
  let s = '';
  for (const k of path) {
    if (typeof k === 'number') s += `[${k}]`;
    else s += s === '' ? String(k) : `.${String(k)}`;
  }
  return s === '' ? '(top level)' : s;
}

/** The keys an object in the schema accepts at `path`, or [] when it is not an object there. */
export function knownKeysAt(path: IssuePath): string[] {
  let schema: z.ZodType | undefined = Config;
  for (const key of path) {
    schema = schema ? unwrap(schema) : undefined;
    if (schema instanceof z.ZodObject) schema = (schema.shape as Record<string, z.ZodType>)[String(key)];
    else if (schema instanceof z.ZodArray) schema = schema.element as z.ZodType;
    else return [];
  }
  schema = schema ? unwrap(schema) : undefined;
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

function unwrap(s: z.ZodType): z.ZodType {
  let cur = s;
  while (cur instanceof z.ZodDefault || cur instanceof z.ZodOptional || cur instanceof z.ZodNullable) {
    cur = cur.unwrap() as z.ZodType;
  }
  return cur;
}

/** The known key nearest to a misspelt one, when it is near enough to be a likely typo. */
export function closestKey(key: string, known: string[]): string | undefined {
  let best: string | undefined;
  let bestDist = Infinity;
  for (const k of known) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase());
    if (d < bestDist) {
      best = k;
      bestDist = d;
    }
  }
  return best !== undefined && bestDist <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

/** One issue, expanded: an unknown-keys issue becomes one entry per unknown key. */
export interface ConfigProblem {
  /** The path of the offending key (for an unknown key, including that key). */
  path: PropertyKey[];
  message: string;
  unknownKey: boolean;
}

export function problemsOf(error: z.ZodError): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeysAt(issue.path);
      for (const key of issue.keys) {
        const near = closestKey(key, known);
        const hint = near ? `did you mean "${near}"?` : `known keys: ${known.join(', ')}`;
        out.push({ path: [...issue.path, key], message: `unknown key "${key}" (${hint})`, unknownKey: true });
      }
    } else if (issue.code === 'invalid_type' && issue.message.endsWith('received undefined')) {
      out.push({
        path: [...issue.path],
        message: `required, but missing (expected ${issue.expected})`,
        unknownKey: false,
      });
    } else {
      out.push({ path: [...issue.path], message: issue.message, unknownKey: false });
    }
  }
  return out;
}

/**
 * Where a problem is in the YAML text. For an unknown key the key itself; for a bad value the
 * value; for a missing key the nearest enclosing mapping that exists.
 */
export function positionOf(
  doc: Document,
  lines: LineCounter,
  problem: ConfigProblem,
): { line: number; col: number } | undefined {
  const path = problem.path;
  if (problem.unknownKey && path.length > 0) {
    const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
    if (isMap(parent)) {
      const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === String(path.at(-1)));
      if (pair && isNode(pair.key) && pair.key.range) return lines.linePos(pair.key.range[0]);
    }
  }
  for (let n = path.length; n >= 0; n--) {
    const node: unknown = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) return lines.linePos(node.range[0]);
  }
  return undefined;
}
