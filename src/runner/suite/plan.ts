import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { UserInputError } from '../../shared/errors.js';
import { loadTaskFile } from '../tasks/load.js';
import { lastRunKey } from './last-run.js';
import type { Task } from '../tasks/schema.js';
import type { LoadError } from './results.js';

/** Which tasks a `deskpilot test` run does: files from globs, then --grep, --grep-invert, --repeat-each, --shard. */

export interface PlanOptions {
  grep?: RegExp;
  /** Tasks matching this are left out (--grep-invert), over the same text as grep. */
  grepInvert?: RegExp;
  /** Only these tasks (`file#id`, --last-failed). */
  only?: ReadonlySet<string>;
  /** Each task this many times (--repeat-each), before sharding: the runs spread over shards and workers. */
  repeatEach?: number;
  shard?: { index: number; total: number };
  cwd?: string;
}

export interface Plan {
  files: string[];
  tasks: Task[];
  loadErrors: LoadError[];
}

/** The load error of a run whose patterns name no task file (the run and --list report it alike). */
export function noTaskFiles(patterns: string[]): LoadError {
  return { file: patterns.join(' '), message: 'no task files match' };
}

export async function planSuite(patterns: string[], options: PlanOptions = {}): Promise<Plan> {
  const cwd = options.cwd ?? process.cwd();
  const files = await expandGlobs(patterns, cwd);
  const loadErrors: LoadError[] = [];
  let tasks: Task[] = [];
  for (const file of files) {
    const loaded = await loadTaskFile(path.resolve(cwd, file));
    tasks.push(...loaded.tasks.map((t) => ({ ...t, file })));
    for (const e of loaded.errors) {
      loadErrors.push({
        file,
        ...(e.line ? { line: e.line } : {}),
        ...(e.column ? { column: e.column } : {}),
        message: e.message.replace(/^[^:]+(:\d+){0,2}: /, ''),
      });
    }
  }
  tasks = sortTasks(tasks);
  if (options.grep) tasks = tasks.filter((t) => options.grep!.test(searchText(t)));
  if (options.grepInvert) tasks = tasks.filter((t) => !options.grepInvert!.test(searchText(t)));
  if (options.only) tasks = tasks.filter((t) => options.only!.has(lastRunKey(t.file, t.spec.id)));
  const repeat = options.repeatEach ?? 1;
  if (repeat > 1) tasks = tasks.flatMap((t) => Array.from({ length: repeat }, (_, k) => ({ ...t, repeat: k + 1 })));
  if (options.shard) tasks = shardTasks(tasks, options.shard.index, options.shard.total);
  return { files, tasks, loadErrors };
}

/** Sorted by file, then id: the order every shard agrees on. */
export function sortTasks(tasks: Task[]): Task[] {
  return [...tasks].sort((a, b) =>
    a.file < b.file ? -1 : a.file > b.file ? 1 : a.spec.id < b.spec.id ? -1 : a.spec.id > b.spec.id ? 1 : 0,
  );
}

/** Task i of the sorted list goes to shard (i mod n) + 1; shards are 1-based, as CI matrices count. */
export function shardTasks<T>(sorted: T[], index: number, total: number): T[] {
  return sorted.filter((_, i) => (i % total) + 1 === index);
}

/** "2/4" → { index: 2, total: 4 }. */
export function parseShard(text: string): { index: number; total: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(m?.[1]);
  const total = Number(m?.[2]);
  if (!m || total < 1 || index < 1 || index > total)
    throw new UserInputError(`--shard must be i/n with 1 <= i <= n (e.g. 1/3), got "${text}"`);
  return { index, total };
}

function searchText(t: Task): string {
  return [t.file, t.spec.id, t.spec.title ?? '', ...t.spec.tags.map((x) => `@${x}`)].join(' ');
}

const MAGIC = /[*?[{]/;

/** Expands shell-style globs (*, **, ?, {a,b}); a plain path is kept even if missing (reported later). */
export async function expandGlobs(patterns: string[], cwd: string): Promise<string[]> {
  const found = new Set<string>();
  for (const pattern of patterns) {
    if (!MAGIC.test(pattern)) {
      found.add(pattern);
      continue;
    }
    const parts = pattern.split('/');
    const firstMagic = parts.findIndex((p) => MAGIC.test(p));
    const base = parts.slice(0, firstMagic).join('/') || (pattern.startsWith('/') ? '/' : '.');
    const re = globToRegExp(pattern);
    for (const file of await walk(path.resolve(cwd, base))) {
      const rel = path.isAbsolute(pattern) ? file : path.relative(cwd, file);
      if (re.test(rel.split(path.sep).join('/'))) found.add(rel);
    }
  }
  return [...found].sort();
}

export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      const slash = glob[i + 2] === '/';
      re += slash ? '(?:[^/]*/)*' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '{') {
      const end = glob.indexOf('}', i);
      if (end < 0) re += '\\{';
      else {
        re +=
          '(?:' +
          glob
            .slice(i + 1, end)
            .split(',')
            .map(escape)
            .join('|') +
          ')';
        i = end;
      }
    } else re += escape(c);
  }
  return new RegExp(`^${re.replace(/^\\\.\//, '')}$`);
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

async function walk(dir: string): Promise<string[]> {
  let entries;
  try {
    if (!(await stat(dir)).isDirectory()) return [];
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries) {
    if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(full)));
    else if (e.isFile()) out.push(full);
  }
  return out;
}
