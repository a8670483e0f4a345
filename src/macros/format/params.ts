import { UserInputError } from '../../shared/errors.js';
import type { MacroParam } from './schema.js';

export type ParamValue = string | number | boolean;
export type Row = Record<string, string>;

const PLACEHOLDER = /\{\{\s*([\w.:-]+)\s*\}\}/g;

/**
 * The parameter values of one replay: defaults, then the values given (`--param k=v`, as text),
 * checked against each parameter's type. A parameter without a default must be given.
 */
export function resolveParams(
  declared: Record<string, MacroParam> | undefined,
  given: Record<string, string>,
  file?: string,
): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  const decl = declared ?? {};
  for (const name of Object.keys(given)) {
    if (!(name in decl)) {
      const known = Object.keys(decl);
      throw new UserInputError(`unknown parameter "${name}" (this macro takes ${known.length ? known.join(', ') : 'no parameters'})`, file ? { file } : {});
    }
  }
  for (const [name, p] of Object.entries(decl)) {
    const raw = given[name];
    if (raw === undefined) {
      if (p.default === undefined) throw new UserInputError(`missing required parameter "${name}": give it with --param ${name}=VALUE`, file ? { file } : {});
      out[name] = p.default;
      continue;
    }
    out[name] = convert(name, raw, p.type, file);
  }
  return out;
}

function convert(name: string, raw: string, type: MacroParam['type'], file?: string): ParamValue {
  if (type === 'number') {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n)) throw new UserInputError(`parameter "${name}" must be a number, got "${raw}"`, file ? { file } : {});
    return n;
  }
  if (type === 'boolean') {
    if (/^(true|yes|1)$/i.test(raw)) return true;
    if (/^(false|no|0)$/i.test(raw)) return false;
    throw new UserInputError(`parameter "${name}" must be true or false, got "${raw}"`, file ? { file } : {});
  }
  return raw;
}

/**
 * Fills `{{param}}` and `{{row.col}}` in a string. `{{secret:NAME}}` stays as it is: only the
 * input driver resolves secrets, at the last moment. An unknown name is an error, not an empty
 * string, so a typo never types nothing into a field.
 */
export function substitute(text: string, params: Record<string, ParamValue>, row?: Row): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => {
    if (name.startsWith('secret:')) return whole;
    if (name.startsWith('row.')) {
      const col = name.slice(4);
      if (!row) throw new UserInputError(`{{${name}}} is used outside a repeat for_each_row`);
      const v = row[col];
      if (v === undefined) throw new UserInputError(`{{${name}}}: the data has no column "${col}" (columns: ${Object.keys(row).join(', ')})`);
      return v;
    }
    const v = params[name];
    if (v === undefined) throw new UserInputError(`{{${name}}} is not a parameter of this macro (declare it under params:)`);
    return String(v);
  });
}

/** Substitutes in every string of a plain value (a Step or a Target). */
export function substituteDeep<T>(value: T, params: Record<string, ParamValue>, row?: Row): T {
  if (typeof value === 'string') return substitute(value, params, row) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => substituteDeep(v, params, row)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteDeep(v as unknown, params, row)])) as T;
  }
  return value;
}

/** The placeholder names a string uses (for `macro validate` to check params are declared). */
export function placeholders(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}
