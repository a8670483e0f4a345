import { isMap, isScalar, parseDocument } from 'yaml';
import { UserInputError } from '../shared/errors.js';
import type { Repair } from './replay/repair.js';

/**
 * Writes repairs into the macro's YAML text, keeping everything else (comments, order, style)
 * as the person wrote it. A step written as a bare command line becomes `do:` with anchors.
 */
export function applyRepairs(text: string, repairs: Repair[], file: string): string {
  const doc = parseDocument(text);
  for (const r of repairs) {
    const node = doc.getIn(r.path, true);
    if (node === undefined) throw new UserInputError(`the macro changed since the replay: no step at ${r.path.join('.')}; replay it again`, { file });
    if (isScalar(node) && typeof node.value === 'string') {
      const command = r.text ? swapText(node.value, r.text) : node.value;
      doc.setIn(r.path, flowAnchors(doc.createNode({ do: command, anchors: r.anchors })));
    } else if (isMap(node)) {
      if (r.text && node.has('do')) doc.setIn([...r.path, 'do'], swapText(String(doc.getIn([...r.path, 'do'])), r.text));
      if (r.text && node.has('step')) doc.setIn([...r.path, 'step', 'target', 'text'], r.text.to);
      doc.setIn([...r.path, 'anchors'], flowAnchors(doc.createNode(r.anchors), true));
    } else {
      throw new UserInputError(`the step at ${r.path.join('.')} is not an action step any more; replay it again`, { file });
    }
  }
  return doc.toString({ lineWidth: 0 });
}

function swapText(command: string, t: { from: string; to: string }): string {
  const from = JSON.stringify(t.from);
  return command.includes(from) ? command.replace(from, JSON.stringify(t.to)) : command;
}

/** Short lists in the anchors read best on one line, as the recorder writes them. */
function flowAnchors<T>(node: T, isAnchors = false): T {
  const anchors = (isAnchors ? node : (node as { get?: (k: string, keep: boolean) => unknown }).get?.('anchors', true)) as { items?: { value?: unknown }[] } | undefined;
  for (const pair of anchors?.items ?? []) {
    const v = pair.value as { flow?: boolean; items?: unknown[] } | undefined;
    if (v && Array.isArray(v.items)) v.flow = true;
  }
  return node;
}
