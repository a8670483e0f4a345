import { Document, isMap, isScalar, isSeq, visit } from 'yaml';
import type { MacroFile } from './schema.js';

/**
 * Writes a macro file. Takes the file's fields only (a parsed `Macro` works too: its compiled
 * program is left out), keeps the step forms as given, and writes small mappings and lists of
 * plain values in flow style (`offset: [ 4, 2 ]`) so that the file stays one line per fact.
 */
export function serializeMacro(macro: MacroFile): string {
  const plain: MacroFile = {
    name: macro.name,
    ...(macro.description !== undefined ? { description: macro.description } : {}),
    ...(macro.params && Object.keys(macro.params).length ? { params: macro.params } : {}),
    steps: macro.steps,
  };
  const doc = new Document(plain);
  visit(doc, {
    Map(_key, node, path) {
      // Never fold a whole step (nor a list of them, below): its keys are what a person scans for.
      if (path.length > 4 && !isStep(node) && isSmall(node)) node.flow = true;
    },
    Seq(_key, node, path) {
      if (path.length > 2 && !node.items.some(isStep) && isSmall(node)) node.flow = true;
    },
  });
  return doc.toString({ lineWidth: 0 });
}

const STEP_KEYS = new Set(['do', 'step', 'if', 'repeat']);

function isStep(node: unknown): boolean {
  return isMap(node) && node.items.some((p) => isScalar(p.key) && STEP_KEYS.has(String(p.key.value)));
}

function isSmall(node: unknown): boolean {
  if (!isMap(node) && !isSeq(node)) return false;
  let size = 0;
  for (const it of node.items) {
    // A mapping's items are pairs (their value counts); a sequence's items are the nodes themselves.
    const value = isMap(node) ? (it as { value?: unknown }).value : it;
    if (value !== null && value !== undefined && !isScalar(value) && !(isMap(value) && isSmall(value))) return false;
    size += JSON.stringify((value as { toJSON?: () => unknown })?.toJSON?.() ?? null).length + 4;
  }
  return size <= 70;
}
