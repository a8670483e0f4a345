import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { StorageError, UserInputError } from '../shared/errors.js';
import type { Store } from '../shared/ports.js';
import type { MacroRecord } from '../shared/records.js';
import { parseMacro, type Macro } from './format/index.js';
import type { Repair } from './replay/repair.js';

/**
 * Macros on disk (`<dir>/<name>.yaml`, crops in `<name>.crops/`) and their versions in the
 * store. Every save validates first: a bad edit throws with file:line:col and never replaces
 * the last good version, neither the file nor the stored versions.
 */

const NAME = /^[\w][\w .-]*$/;

export function macroFile(dir: string, name: string): string {
  if (!NAME.test(name) || name.includes('..')) {
    throw new UserInputError(`"${name}" is not a usable macro name: letters, digits, spaces, _ . and - (or give a path to a .yaml file)`);
  }
  return path.join(dir, `${name}.yaml`);
}

export interface SavedMacro {
  macro: Macro;
  record: MacroRecord;
  file: string;
}

export function saveMacro(store: Store, dir: string, name: string, text: string, file = macroFile(dir, name)): SavedMacro {
  const macro = parseMacro(text, file);
  mkdirSync(path.dirname(file), { recursive: true });
  // Written beside and renamed over, so a crash never leaves half a macro.
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  } catch (err) {
    throw new StorageError(`could not write the macro ${file}: ${(err as Error).message}`, 'STORAGE_UNWRITABLE', { cause: err });
  }
  const record = store.macros.put(name, text);
  return { macro, record, file };
}

export interface LoadedMacro {
  macro: Macro;
  text: string;
  file: string;
  /** The name it is saved under (the file's stem). */
  name: string;
}

/** A macro by name (in `dir`, or the store's last good version) or by path to a YAML file. */
export function loadMacro(store: Store | undefined, dir: string, nameOrFile: string): LoadedMacro {
  const isPath = /\.ya?ml$/i.test(nameOrFile) || nameOrFile.includes('/') || nameOrFile.includes(path.sep);
  const file = isPath ? path.resolve(nameOrFile) : macroFile(dir, nameOrFile);
  const name = path.basename(file).replace(/\.ya?ml$/i, '');
  let text: string | undefined;
  if (existsSync(file)) text = readFileSync(file, 'utf8');
  else if (!isPath) text = store?.macros.get(nameOrFile)?.source;
  if (text === undefined) {
    const known = listMacros(store, dir).map((m) => m.name);
    throw new UserInputError(`no macro "${nameOrFile}" (${file} does not exist)${known.length ? `; known: ${known.join(', ')}` : ''}`);
  }
  return { macro: parseMacro(text, file), text, file, name };
}

export interface MacroListing {
  name: string;
  file: string;
  version?: number;
  updatedAt?: string;
}

export function listMacros(store: Store | undefined, dir: string): MacroListing[] {
  const byName = new Map<string, MacroListing>();
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => /\.ya?ml$/i.test(f)) : [];
  for (const f of files) {
    const name = f.replace(/\.ya?ml$/i, '');
    byName.set(name, { name, file: path.join(dir, f) });
  }
  for (const r of store?.macros.list() ?? []) {
    byName.set(r.name, { name: r.name, file: byName.get(r.name)?.file ?? path.join(dir, `${r.name}.yaml`), version: r.version, updatedAt: r.updatedAt });
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

const healKey = (file: string) => `macro-heal:${path.resolve(file)}`;

/** Repairs a replay found, kept until a person reviews them with `deskpilot macro heal`. */
export function pendingRepairs(store: Store, file: string): Repair[] {
  return store.settings.get<Repair[]>(healKey(file)) ?? [];
}

export function setPendingRepairs(store: Store, file: string, repairs: Repair[]): void {
  store.settings.set(healKey(file), repairs);
}
