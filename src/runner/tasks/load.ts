import { readFile } from 'node:fs/promises';
import {
  isMap,
  isNode,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  Scalar,
  type Document,
  type Node,
} from 'yaml';
import type { z } from 'zod';
import { parseCommands } from '../../planner/commands/parse.js';
import { UserInputError } from '../../shared/errors.js';
import { TaskSpec, type Task } from './schema.js';

/**
 * Reads task files (YAML or JSON; JSON is read by the same YAML parser so positions work alike).
 * Every problem becomes a UserInputError with file:line:col; a bad task fails on its own and the
 * good tasks of the same file still load.
 */

export interface LoadedFile {
  file: string;
  tasks: Task[];
  errors: UserInputError[];
}

export async function loadTaskFile(file: string): Promise<LoadedFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return {
      file,
      tasks: [],
      errors: [
        new UserInputError(
          code === 'ENOENT' ? 'task file not found' : `cannot read the task file (${code ?? String(err)})`,
          { file },
        ),
      ],
    };
  }
  return parseTaskFile(file, text);
}

type Path = (string | number)[];

export function parseTaskFile(file: string, text: string): LoadedFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const where = (path: Path, key = false) => ({ file, ...positionOf(doc, lines, path, key) });
  const syntax = doc.errors[0];
  if (syntax) {
    const at = lines.linePos(syntax.pos[0]);
    return {
      file,
      tasks: [],
      errors: [
        new UserInputError(`syntax error: ${syntax.message.split('\n')[0]}`, {
          file,
          line: at.line,
          column: at.col,
        }),
      ],
    };
  }
  const root: unknown = doc.toJS();
  if (!isObject(root)) {
    return {
      file,
      tasks: [],
      errors: [
        new UserInputError('a task file holds one task (id, steps, ...) or a list under "tasks:"', {
          file,
          line: 1,
          column: 1,
        }),
      ],
    };
  }
  const many = 'tasks' in root;
  if (many && !Array.isArray(root['tasks'])) {
    return {
      file,
      tasks: [],
      errors: [new UserInputError('"tasks" must be a list of tasks', where(['tasks']))],
    };
  }
  const raws: unknown[] = many ? (root['tasks'] as unknown[]) : [root];
  if (many && Object.keys(root).length > 1) {
    const extra = Object.keys(root).find((k) => k !== 'tasks') ?? '';
    return {
      file,
      tasks: [],
      errors: [new UserInputError(`unknown key "${extra}" next to "tasks"`, where([extra], true))],
    };
  }
  const tasks: Task[] = [];
  const errors: UserInputError[] = [];
  const seen = new Set<string>();
  raws.forEach((raw, i) => {
    const base: Path = many ? ['tasks', i] : [];
    const parsed = TaskSpec.safeParse(raw);
    if (!parsed.success) {
      errors.push(...issuesToErrors(parsed.error, base, where, raw));
      return;
    }
    const spec = parsed.data;
    if (seen.has(spec.id)) {
      errors.push(new UserInputError(`duplicate task id "${spec.id}"`, where([...base, 'id'])));
      return;
    }
    seen.add(spec.id);
    const stepErrors = checkSteps(spec, base, doc, lines, file, text);
    if (stepErrors.length) {
      errors.push(...stepErrors);
      return;
    }
    const stepLines = Array.isArray(spec.steps)
      ? spec.steps.map((_, k) => where([...base, 'steps', k]).line ?? 0)
      : [];
    tasks.push({ spec, file, line: where(base).line ?? 1, stepLines });
  });
  return { file, tasks, errors };
}

function issuesToErrors(
  error: z.ZodError,
  base: Path,
  where: (p: Path, key?: boolean) => { file: string; line?: number; column?: number },
  raw: unknown,
): UserInputError[] {
  const id = isObject(raw) && typeof raw['id'] === 'string' ? `task "${raw['id']}": ` : '';
  return error.issues.map((issue) => {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    const unknownKey = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
    const full = unknownKey ? [...base, ...path, unknownKey] : [...base, ...path];
    const label = path.join('.');
    const message = unknownKey
      ? `unknown key "${unknownKey}"`
      : issue.code === 'invalid_union'
        ? unionHint(path)
        : issue.message;
    return new UserInputError(
      `${id}${label ? `${label}: ` : ''}${message}`,
      where(full, unknownKey !== undefined),
    );
  });
}

/** zod's "Invalid input" for a union says nothing; say which shapes are accepted. */
function unionHint(path: (string | number)[]): string {
  if (path[0] === 'setup')
    return 'a setup action is one of {launch: "cmd"}, {open: "file or URL"}, {execute: "cmd"}, {wait_for: {window: "title"} or {text: "..."}, timeout?}, {window_size: [w, h]}, {sleep: seconds}';
  if (path[0] === 'evaluator')
    return 'an evaluator is one check (a getter and a comparison) or {conj: and|or, checks: [...]}';
  if (path[0] === 'steps') return 'steps are a list of command lines or one block of commands';
  return 'Invalid input';
}

/** Parses the direct commands now, so a typo is reported with its place in the task file. */
function checkSteps(
  spec: TaskSpec,
  base: Path,
  doc: Document,
  lines: LineCounter,
  file: string,
  text: string,
): UserInputError[] {
  if (spec.steps === undefined) return [];
  const list = Array.isArray(spec.steps) ? spec.steps : [spec.steps];
  const errors: UserInputError[] = [];
  list.forEach((source, k) => {
    try {
      parseCommands(source, 'step');
    } catch (err) {
      if (!(err instanceof UserInputError)) throw err;
      const node = doc.getIn(Array.isArray(spec.steps) ? [...base, 'steps', k] : [...base, 'steps'], true);
      const at = commandPosition(node, lines, text, err);
      const message = err.message.replace(/^step(:\d+)*: /, '');
      errors.push(new UserInputError(`task "${spec.id}": ${message}`, { file, ...at }));
    }
  });
  return errors;
}

/** Maps a line:col inside a step's text to the task file (plain, quoted and block scalars). */
function commandPosition(
  node: unknown,
  lines: LineCounter,
  source: string,
  err: UserInputError,
): { line?: number; column?: number } {
  if (!isNode(node) || !node.range) return {};
  const start = lines.linePos(node.range[0]);
  const innerLine = err.line ?? 1;
  const innerCol = err.column ?? 1;
  if (isScalar(node) && (node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED)) {
    // The block's text starts on the line after its | or > indicator, at the block's indent.
    const first = source.split('\n')[start.line] ?? '';
    const indent = first.length - first.trimStart().length;
    return { line: start.line + innerLine, column: indent + innerCol };
  }
  const quoted =
    isScalar(node) && (node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE) ? 1 : 0;
  return {
    line: start.line + innerLine - 1,
    column: innerLine === 1 ? start.col + quoted + innerCol - 1 : innerCol,
  };
}

/** The place of a key (unknown keys) or of a value; the nearest existing parent otherwise. */
function positionOf(
  doc: Document,
  lines: LineCounter,
  path: Path,
  key: boolean,
): { line?: number; column?: number } {
  if (key && path.length > 0) {
    const parent: unknown = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
    if (isMap(parent)) {
      const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === String(path.at(-1)));
      if (pair && isNode(pair.key) && pair.key.range) return at(lines, pair.key);
    }
  }
  for (let n = path.length; n >= 0; n--) {
    const node: unknown = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) return at(lines, node);
    if (n > 0 && isSeq(node)) continue;
  }
  return {};
}

function at(lines: LineCounter, node: Node): { line: number; column: number } {
  const p = lines.linePos(node.range![0]);
  return { line: p.line, column: p.col };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
