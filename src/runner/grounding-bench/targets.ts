import { parseCommands } from '../../planner/commands/parse.js';
import type { Target } from '../../shared/target.js';
import type { BenchSample } from './dataset.js';

const ROLE_WORDS = /\s+(button|field|input|link|checkbox|tab|menu|icon|item|label|dropdown)$/i;

/**
 * The targets a sample's instruction is tried as, in order. Icon samples are descriptions for
 * the icon vocabulary or a model. Text samples are the visible label, but instructions are
 * often paraphrased ("the Save button"), so the direct-command grammar reads them first and the
 * bare words are a fallback.
 */
export function targetsFor(sample: Pick<BenchSample, 'instruction' | 'data_type'>): Target[] {
  const instruction = sample.instruction.trim();
  if (sample.data_type === 'icon') return [{ description: instruction }];
  const out: Target[] = [];
  const add = (t: Target): void => {
    if (!out.some((o) => JSON.stringify(o) === JSON.stringify(t))) out.push(t);
  };
  const parsed = parsedTarget(instruction);
  if (parsed) add(parsed);
  const label = instruction.replace(/^the\s+/i, '').replace(ROLE_WORDS, '').trim();
  if (label) add({ text: label });
  add({ text: instruction });
  return out;
}

/** `click <instruction>` in the command language, with a description turned into its label. */
function parsedTarget(instruction: string): Target | undefined {
  let target: Target;
  try {
    const step = parseCommands(`click ${instruction}`, 'instruction')[0]?.step;
    if (step?.kind !== 'click') return undefined;
    target = step.target;
  } catch {
    return undefined;
  }
  if (target.text !== undefined || target.description === undefined) return target;
  const { description, ...rest } = target;
  const text = description.replace(ROLE_WORDS, '').trim();
  return text ? { ...rest, text } : undefined;
}
