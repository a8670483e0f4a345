import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Document, isMap, isScalar, isSeq, visit } from 'yaml';
import { parseMacro, type MacroFile, type MacroFileStep } from '../format/index.js';
import type { RecordedStep } from './build.js';
import { commandLine } from './command-line.js';

/** `<dir>/<base>.crops`: the crops folder beside a macro file. */
export function cropsDirOf(file: string): string {
  return path.join(path.dirname(file), `${path.basename(file).replace(/\.ya?ml$/i, '')}.crops`);
}

/**
 * The macro file's contents for recorded steps: a plain command line when the step has no
 * evidence and the language can say it; `do:` with the line plus anchors/expect when it can; the
 * structured `step:` form otherwise. Checked with the format's own parser before it is returned.
 */
export function macroSource(name: string, description: string, steps: readonly RecordedStep[], file = 'recorded.yaml'): string {
  const items: MacroFileStep[] = steps.map((s) => {
    const line = commandLine(s.step);
    const extra = {
      ...(s.anchors && Object.keys(s.anchors).length ? { anchors: s.anchors } : {}),
      ...(s.expect ? { expect: s.expect } : {}),
    };
    if (line !== undefined && Object.keys(extra).length === 0) return line;
    return line !== undefined ? { do: line, ...extra } : { step: s.step, ...extra };
  });
  const macro: MacroFile = { name, description, steps: items };
  const text = toYaml(macro);
  parseMacro(text, file);
  return text;
}

/** Writes the macro file and its crops (an older recording's crops are replaced). */
export function writeRecording(file: string, source: string, steps: readonly RecordedStep[]): { file: string; crops: string[] } {
  const dir = cropsDirOf(file);
  mkdirSync(path.dirname(file), { recursive: true });
  rmSync(dir, { recursive: true, force: true });
  const crops: string[] = [];
  for (const s of steps) {
    if (!s.crop) continue;
    mkdirSync(dir, { recursive: true });
    const p = path.join(dir, s.crop.file);
    writeFileSync(p, s.crop.png);
    crops.push(p);
  }
  writeFileSync(file, source);
  return { file, crops };
}

/**
 * One step per block, with only leaf collections in flow style (`offset: [ 4, 2 ]`, a landmark
 * per line). Not the format's serializeMacro: it currently folds a whole list of step mappings
 * into one flow line, which no person can review.
 */
function toYaml(macro: MacroFile): string {
  const doc = new Document(macro);
  visit(doc, {
    Map(_key, node) {
      if (node.items.every((p) => isScalar(p.value))) node.flow = true;
    },
    Seq(_key, node) {
      if (node.items.every((it) => isScalar(it))) node.flow = true;
    },
  });
  // The top level and each step stay in block style.
  if (isMap(doc.contents)) {
    doc.contents.flow = false;
    const steps = doc.contents.get('steps', true);
    if (isSeq(steps)) for (const it of steps.items) if (isMap(it)) it.flow = false;
  }
  return doc.toString({ lineWidth: 0 });
}
