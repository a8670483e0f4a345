import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { listMacros, loadMacro, parseMacro, pendingRepairs, type MacroFile, type MacroFileStep, type MacroListing, type MacroNode } from '../macros/index.js';
import { UserInputError } from '../shared/errors.js';
import type { MacroDetail, MacroFormInput, MacroParamView, MacroStepView, MacroSummary } from '../shared/ipc-macros.js';
import type { Store } from '../shared/ports.js';
import { describeStep } from '../shared/steps.js';

/** The macros screen's views of the library (src/macros/library.ts), and the form written back as YAML. */

export function summaries(store: Store, dir: string): MacroSummary[] {
  return listMacros(store, dir).map((m) => detail(store, dir, m));
}

export function detailOf(store: Store, dir: string, name: string): MacroDetail {
  const listing = listMacros(store, dir).find((m) => m.name === name);
  // Not listed: loadMacro says what is known (and checks the name's characters).
  if (!listing) loadMacro(store, dir, name);
  return detail(store, dir, listing ?? { name, file: path.join(dir, `${name}.yaml`) });
}

function detail(store: Store, dir: string, m: MacroListing): MacroDetail {
  const base = { name: m.name, file: m.file, ...(m.version !== undefined ? { version: m.version } : {}), ...(m.updatedAt ? { updatedAt: m.updatedAt } : {}), repairs: pendingRepairs(store, m.file).length };
  try {
    const loaded = loadMacro(store, dir, m.name);
    const mac = loaded.macro;
    return {
      ...base,
      title: mac.name,
      ...(mac.description !== undefined ? { description: mac.description } : {}),
      params: paramViews(mac.params),
      steps: count(mac.program),
      text: loaded.text,
      stepViews: mac.steps.map(stepView),
    };
  } catch (err) {
    if (!(err instanceof UserInputError)) throw err;
    // A file that no longer validates (edited by hand) still opens, in the YAML editor only.
    const text = existsSync(m.file) ? readFileSync(m.file, 'utf8') : (store.macros.get(m.name)?.source ?? '');
    return { ...base, params: [], steps: 0, text, stepViews: [], error: err.message };
  }
}

function paramViews(params: MacroFile['params']): MacroParamView[] {
  return Object.entries(params ?? {}).map(([name, p]) => ({
    name,
    type: p.type,
    ...(p.default !== undefined ? { default: p.default } : {}),
    ...(p.description !== undefined ? { description: p.description } : {}),
  }));
}

function count(nodes: MacroNode[]): number {
  return nodes.reduce((n, x) => n + (x.type === 'action' ? 1 : x.type === 'if' ? count(x.then) + count(x.else) : count(x.steps)), 0);
}

function stepView(raw: MacroFileStep): MacroStepView {
  if (typeof raw === 'string') return { kind: 'command', command: raw, notes: [] };
  const notes = notesOf(raw);
  if ('do' in raw) return { kind: 'command', command: raw.do, notes };
  if ('step' in raw) return { kind: 'other', summary: describeStep(raw.step), notes: ['structured step', ...notes] };
  if ('if' in raw) {
    const c = raw.if;
    const [how, target] = 'visible' in c ? ['visible', c.visible] : ['not visible', c.not_visible];
    const what = typeof target === 'string' ? JSON.stringify(target) : (target.text ?? 'a target');
    return { kind: 'other', summary: `if ${how} ${what}: ${raw.then.length} step(s), else ${raw.else?.length ?? 0}`, notes: [] };
  }
  const times = 'for_each_row' in raw.repeat ? `for each row of ${raw.repeat.for_each_row}` : `${raw.repeat.times} times`;
  return { kind: 'other', summary: `repeat ${times}: ${raw.steps.length} step(s)`, notes: [] };
}

function notesOf(raw: Record<string, unknown>): string[] {
  const notes: string[] = [];
  if (raw['irreversible'] === true) notes.push('irreversible');
  if (raw['on_error'] !== undefined) notes.push(`on error: ${typeof raw['on_error'] === 'string' ? raw['on_error'] : 'retry'}`);
  if (raw['anchors'] !== undefined) notes.push('recorded anchors');
  const expect = raw['expect'] as { text?: string; gone?: string } | undefined;
  if (expect) notes.push(expect.text ? `expects "${expect.text}"` : expect.gone ? `expects "${expect.gone}" gone` : 'expects a change');
  return notes;
}

/**
 * The form written into the macro's YAML: description, params and the steps' order and command
 * lines change; everything else (the `name:`, comments, anchors, how each step is written)
 * stays as it is in `text`. Validated like any save; an error names the step it is in.
 */
export function formToYaml(text: string, form: MacroFormInput, label: string): string {
  const doc = parseDocument(text);
  const old = doc.get('steps', true);
  if (!isSeq(old)) throw new UserInputError('the saved macro has no steps: list to edit; use the YAML editor', {}, { code: 'MACRO_FORM' });
  const items = form.steps.map((s, i) => {
    const orig: unknown = s.from === undefined ? undefined : old.items[s.from];
    if (s.from !== undefined && orig === undefined) throw new UserInputError(`step ${i + 1}: the macro changed since it was opened (no step ${s.from + 1}); open it again`, {}, { code: 'MACRO_FORM' });
    if (s.command === undefined) return orig;
    const command = s.command.trim();
    if (!command) throw new UserInputError(`step ${i + 1} is empty: type a command or remove the step`, {}, { code: 'MACRO_FORM' });
    if (isScalar(orig) && orig.value === command) return orig;
    if (isMap(orig) && orig.has('do')) {
      orig.set('do', command);
      return orig;
    }
    if (orig !== undefined && !isScalar(orig)) throw new UserInputError(`step ${i + 1} is not a command line: edit it in YAML`, {}, { code: 'MACRO_FORM' });
    return doc.createNode(command);
  });
  old.items = items;

  const names = form.params.map((p) => p.name.trim());
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new UserInputError(`the parameter "${dup}" is declared twice`, {}, { code: 'MACRO_FORM' });
  if (form.params.length === 0) doc.delete('params');
  else {
    const params = doc.createNode(
      Object.fromEntries(
        form.params.map((p) => [
          p.name.trim(),
          { type: p.type, ...(p.default !== undefined && p.default !== '' ? { default: p.default } : {}), ...(p.description ? { description: p.description } : {}) },
        ]),
      ),
    );
    // One line per parameter, as in the examples: `amount: { type: number, default: 10 }`.
    for (const pair of params.items) if (isMap(pair.value)) pair.value.flow = true;
    setBefore(doc, 'params', params, 'steps');
  }
  const description = form.description?.trim();
  if (description) setBefore(doc, 'description', description, 'params', 'steps');
  else doc.delete('description');

  const out = doc.toString({ lineWidth: 0 });
  try {
    parseMacro(out, label);
  } catch (err) {
    if (!(err instanceof UserInputError) || err.line === undefined) throw err;
    const step = stepAtLine(out, err.line);
    const msg = err.message.slice(err.message.indexOf(': ') + 2);
    throw new UserInputError(step === undefined ? msg : `step ${step + 1}: ${msg}`, {}, { code: 'MACRO_FORM' });
  }
  return out;
}

/** Sets a top-level key; a new one goes before the first of `before` present (files read name, description, params, steps). */
function setBefore(doc: Document, key: string, value: unknown, ...before: string[]): void {
  const top = doc.contents;
  if (!isMap(top) || top.has(key)) return void doc.set(key, value);
  const at = top.items.findIndex((p) => isScalar(p.key) && before.includes(String(p.key.value)));
  if (at < 0) return void doc.set(key, value);
  top.items.splice(at, 0, doc.createPair(key, value));
}

/** Which top-level step the (1-based) line is in, in the YAML the form wrote. */
function stepAtLine(text: string, line: number): number | undefined {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const seq = doc.get('steps', true) as { items?: { range?: [number, number, number] }[] } | undefined;
  const at = (offset: number) => lines.linePos(offset).line;
  const i = seq?.items?.findIndex((it) => it.range && at(it.range[0]) <= line && line <= at(Math.max(it.range[0], it.range[1] - 1))) ?? -1;
  return i >= 0 ? i : undefined;
}
