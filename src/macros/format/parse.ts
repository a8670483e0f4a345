import { LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { parseCommands } from '../../planner/commands/parse.js';
import { UserInputError } from '../../shared/errors.js';
import type { Step } from '../../shared/steps.js';
import { Target } from '../../shared/target.js';
import type { Macro, MacroNode, StepPath, Where } from './model.js';
import { Condition, DoStep, MacroFile, StructuredStep } from './schema.js';

/**
 * Reads a macro file. Every error names file:line:col: zod issues are mapped back to the YAML
 * node they are about, and a command line's own error is re-based onto the YAML string it is in.
 * Steps are checked one by one by their shape, so a bad step says what is wrong with it rather
 * than "matches none of the step forms".
 */
export function parseMacro(text: string, file = 'macro.yaml'): Macro {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const at = (path: StepPath): Where => whereOf(doc, lines, path);
  const fail = (message: string, path: StepPath, where?: Where): never => {
    const w = where ?? at(path);
    throw new UserInputError(message, { file, line: w.line, column: w.column });
  };
  const yamlError = doc.errors[0];
  if (yamlError) {
    const pos = lines.linePos(yamlError.pos[0]);
    throw new UserInputError(`not valid YAML: ${yamlError.message.split('\n')[0] ?? ''}`, { file, line: pos.line, column: pos.col });
  }
  const data: unknown = doc.toJS();
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return fail('a macro file is a YAML mapping with name and steps', []);
  }
  const top = MacroFile.safeParse(data);
  if (!top.success) {
    // Report the outermost issue, or the first step issue through the step checker below.
    const issue = top.error.issues.find((i) => i.path[0] !== 'steps' || i.path.length === 1);
    if (issue) failIssue(issue, [], fail);
  }
  const raw = (data as { steps?: unknown }).steps;
  if (!Array.isArray(raw)) return fail('steps: expected a list of steps', ['steps']);
  const program = compileSteps(raw, ['steps'], { at, fail, doc, lines });
  if (!top.success) return failIssue(top.error.issues[0]!, [], fail);
  return { ...top.data, file, program };
}

interface Ctx {
  at: (path: StepPath) => Where;
  fail: (message: string, path: StepPath, where?: Where) => never;
  doc: Document;
  lines: LineCounter;
}

function compileSteps(items: unknown[], base: StepPath, ctx: Ctx): MacroNode[] {
  return items.flatMap((item, i) => compileStep(item, [...base, i], ctx));
}

function compileStep(item: unknown, path: StepPath, ctx: Ctx): MacroNode[] {
  if (typeof item === 'string') return commands(item, path, path, ctx, {});
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    return ctx.fail('a step is a command line ("click \\"Save\\"") or a mapping with do, step, if or repeat', path);
  }
  const where = ctx.at(path);
  if ('do' in item) {
    const s = check(DoStep, item, path, ctx);
    return commands(s.do, path, [...path, 'do'], ctx, s);
  }
  if ('step' in item) {
    const s = check(StructuredStep, item, path, ctx);
    return [action({ step: s.step }, s, path, where)];
  }
  if ('if' in item) {
    const obj = item as { if: unknown; then?: unknown; else?: unknown };
    const cond = check(Condition, obj.if, [...path, 'if'], ctx);
    const extra = Object.keys(item).filter((k) => !['if', 'then', 'else'].includes(k));
    if (extra.length) return ctx.fail(`an if step has if, then and else; unknown key "${extra[0]}"`, [...path, extra[0]!]);
    if (!Array.isArray(obj.then)) return ctx.fail('if: needs a then: list of steps', path);
    if (obj.else !== undefined && !Array.isArray(obj.else)) return ctx.fail('else: expected a list of steps', [...path, 'else']);
    const visible = 'visible' in cond;
    const raw = 'visible' in cond ? cond.visible : cond.not_visible;
    const target = typeof raw === 'string' ? Target.parse({ text: raw }) : raw;
    return [{
      type: 'if', visible, target, path, where,
      then: compileSteps(obj.then, [...path, 'then'], ctx),
      else: Array.isArray(obj.else) ? compileSteps(obj.else, [...path, 'else'], ctx) : [],
    }];
  }
  if ('repeat' in item) {
    const obj = item as { repeat: unknown; steps?: unknown };
    const extra = Object.keys(item).filter((k) => !['repeat', 'steps'].includes(k));
    if (extra.length) return ctx.fail(`a repeat step has repeat and steps; unknown key "${extra[0]}"`, [...path, extra[0]!]);
    const r = obj.repeat as Record<string, unknown> | null;
    if (typeof r !== 'object' || r === null || (typeof r['for_each_row'] !== 'string' && typeof r['times'] !== 'number')) {
      return ctx.fail('repeat: needs { for_each_row: data.csv } or { times: N }', [...path, 'repeat']);
    }
    if (!Array.isArray(obj.steps) || obj.steps.length === 0) return ctx.fail('repeat: needs a steps: list', path);
    return [{
      type: 'repeat', path, where,
      ...(typeof r['for_each_row'] === 'string' ? { forEachRow: r['for_each_row'] } : { times: r['times'] as number }),
      steps: compileSteps(obj.steps, [...path, 'steps'], ctx),
    }];
  }
  const keys = Object.keys(item);
  return ctx.fail(`a step mapping needs do, step, if or repeat (found ${keys.join(', ') || 'nothing'})`, path);
}

type ActionFields = Pick<z.infer<typeof DoStep>, 'id' | 'note' | 'irreversible' | 'on_error' | 'anchors' | 'expect'>;

function action(parsed: { step: Step; command?: string }, f: ActionFields, path: StepPath, where: Where): MacroNode {
  const irreversible = f.irreversible ?? parsed.step.irreversible ?? false;
  const step = { ...parsed.step, ...(f.id ? { id: f.id } : {}), ...(f.note ? { note: f.note } : {}), ...(irreversible ? { irreversible } : {}) };
  return {
    type: 'action', step, irreversible, onError: f.on_error ?? 'fail', path, where,
    ...(parsed.command !== undefined ? { command: parsed.command } : {}),
    ...(f.anchors ? { anchors: f.anchors } : {}),
    ...(f.expect ? { expect: f.expect } : {}),
  };
}

/** Command lines in a YAML string; their errors point into the YAML file. */
function commands(text: string, path: StepPath, valuePath: StepPath, ctx: Ctx, f: ActionFields): MacroNode[] {
  const where = ctx.at(path);
  try {
    const parsed = parseCommands(text, '');
    if (parsed.length === 0) return ctx.fail('the command line is empty', valuePath);
    return parsed.map((c) => action({ step: c.step, command: c.text }, f, path, where));
  } catch (err) {
    if (!(err instanceof UserInputError)) throw err;
    const node = ctx.doc.getIn(valuePath, true) as { type?: string; range?: [number, number, number] } | undefined;
    const start = node?.range ? toWhere(ctx.lines, node.range[0]) : ctx.at(valuePath);
    const quote = node?.type === 'QUOTE_DOUBLE' || node?.type === 'QUOTE_SINGLE' ? 1 : 0;
    const line = start.line + (err.line ?? 1) - 1;
    const column = (err.line ?? 1) === 1 ? start.column + quote + (err.column ?? 1) - 1 : (err.column ?? 1);
    return ctx.fail(err.message, valuePath, { line, column });
  }
}

function check<T>(schema: z.ZodType<T>, value: unknown, path: StepPath, ctx: Ctx): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  return failIssue(issue, path, ctx.fail);
}

function failIssue(issue: z.core.$ZodIssue, base: StepPath, fail: Ctx['fail']): never {
  const rel = issue.path.filter((k): k is string | number => typeof k !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    return fail(`${dotted([...base, ...rel, key])}: unknown key "${key}"`, [...base, ...rel, key]);
  }
  const full = [...base, ...rel];
  return fail(`${dotted(full)}: ${issue.message}`, full);
}

function dotted(path: StepPath): string {
  let s = '';
  for (const k of path) s += typeof k === 'number' ? `[${k}]` : s === '' ? k : `.${k}`;
  return s === '' ? '(top level)' : s;
}

/** Line and column of the node at `path`, or of its nearest existing parent. */
function whereOf(doc: Document, lines: LineCounter, path: StepPath): Where {
  for (let n = path.length; n >= 0; n--) {
    const p = path.slice(0, n);
    const node = (p.length === 0 ? doc.contents : doc.getIn(p, true)) as { range?: [number, number, number] } | null | undefined;
    // For a mapping key that is present, point at the key itself.
    if (n === path.length && n > 0) {
      const keyPos = keyPosition(doc, p);
      if (keyPos !== undefined) return toWhere(lines, keyPos);
    }
    if (node?.range) return toWhere(lines, node.range[0]);
  }
  return { line: 1, column: 1 };
}

function keyPosition(doc: Document, path: StepPath): number | undefined {
  const last = path[path.length - 1];
  if (typeof last !== 'string') return undefined;
  const parent = (path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true)) as { items?: { key?: { value?: unknown; range?: [number, number, number] } }[] } | null;
  const pair = parent?.items?.find((it) => it.key?.value === last);
  return pair?.key?.range?.[0];
}

function toWhere(lines: LineCounter, offset: number): Where {
  const p = lines.linePos(offset);
  return { line: p.line, column: p.col };
}
