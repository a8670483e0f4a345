import path from 'node:path';
import { loadMacro } from '../macros/index.js';
import type { Store } from '../shared/ports.js';

const MENTION = /\b(?:use|follow|with)\s+(?:the\s+)?macro\s+["'\u201c\u2018]([^"'\u201d\u2019]+)["'\u201d\u2019]/i;

/**
 * A chat task that says "use the macro 'Submit expense'" gets that macro's steps as its
 * standard operating procedure (MobileAgent-SOP): guidance for the decision agent, not a script.
 */
export function sopFor(task: string, store: Store | undefined, dataDir: string): string | undefined {
  const m = MENTION.exec(task);
  if (!m) return undefined;
  const loaded = loadMacro(store, path.join(dataDir, 'macros'), m[1]!.trim());
  const steps = loaded.text.slice(Math.max(0, loaded.text.search(/^steps:/m)));
  return [`Macro "${loaded.macro.name}"${loaded.macro.description ? ` — ${loaded.macro.description}` : ''}:`, steps.trim()].join('\n');
}
