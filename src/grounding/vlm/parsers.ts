import type { BoxIn, ImageSize, PointIn } from '../../shared/coords.js';
import { ModelError } from '../../shared/errors.js';

/**
 * Output parsers of the grounding models, one per format. Each turns the model's text into a
 * point (and a box when the model gave one) in the model's own coordinate space; the grounder
 * converts that to desktop coordinates through shared/coords.ts, never here.
 *
 * Lenient where the meaning is unambiguous (whitespace, prose around the answer, special tokens
 * missing, a box where a point was asked for, swapped box corners); strict where a guess could
 * send the mouse somewhere wrong (numbers out of range, NaN, three numbers, no numbers).
 */

export type VlmFormat = 'os-atlas-7b' | 'os-atlas-4b' | 'showui' | 'uground' | 'ui-tars';
export const VLM_FORMATS: readonly VlmFormat[] = ['os-atlas-7b', 'os-atlas-4b', 'showui', 'uground', 'ui-tars'];

export type ModelSpace = 'norm1000' | 'norm1' | 'image';

export interface ParsedLocation {
  point: PointIn<ModelSpace>;
  box?: BoxIn<ModelSpace>;
}

const NUM = String.raw`[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?`;
const SEP = String.raw`\s*[,\s]\s*`;
/** `(x, y)`, `[x, y]`, `[[x,y]]`, `(x1,y1,x2,y2)`, `[x1 y1 x2 y2]`: one bracketed group of numbers. */
const GROUP = new RegExp(String.raw`[\[(]{1,2}\s*(${NUM}(?:${SEP}${NUM}){1,3})\s*[\])]{1,2}`, 'g');
const NUMBER = new RegExp(NUM, 'g');

interface Spec {
  label: string;
  expected: string;
  space: ModelSpace;
}

const SPECS: Record<VlmFormat, Spec> = {
  'os-atlas-7b': { label: 'OS-Atlas-7B', expected: '<|box_start|>(x1,y1),(x2,y2)<|box_end|> in 0–1000', space: 'norm1000' },
  'os-atlas-4b': { label: 'OS-Atlas-4B', expected: '[[x, y]] in 0–1000', space: 'norm1000' },
  showui: { label: 'ShowUI', expected: '[x, y] with x and y between 0 and 1', space: 'norm1' },
  uground: { label: 'UGround', expected: '(x, y) in 0–1000', space: 'norm1000' },
  'ui-tars': { label: 'UI-TARS', expected: "click(start_box='(x,y)') or <point>x y</point> in pixels of the image sent", space: 'image' },
};

/** Parses one model answer. `image` is the size of the image the model saw (UI-TARS answers in its pixels). */
export function parseAnswer(format: VlmFormat, text: string, image: ImageSize): ParsedLocation {
  const spec = SPECS[format];
  const numbers = coordinateNumbers(text, spec);
  const limit = spec.space === 'norm1000' ? { x: 1000, y: 1000 } : spec.space === 'norm1' ? { x: 1, y: 1 } : { x: image.width, y: image.height };
  for (let i = 0; i < numbers.length; i++) {
    const v = numbers[i]!;
    const max = i % 2 === 0 ? limit.x : limit.y;
    if (!Number.isFinite(v) || v < 0 || v > max) {
      throw bad(spec, text, `${v} is outside 0–${max}`);
    }
  }
  return toLocation(numbers, spec.space);
}

export const parseOsAtlas7b = (text: string): ParsedLocation => parseAnswer('os-atlas-7b', text, { width: 1000, height: 1000 });
export const parseOsAtlas4b = (text: string): ParsedLocation => parseAnswer('os-atlas-4b', text, { width: 1000, height: 1000 });
export const parseShowUi = (text: string): ParsedLocation => parseAnswer('showui', text, { width: 1, height: 1 });
export const parseUGround = (text: string): ParsedLocation => parseAnswer('uground', text, { width: 1000, height: 1000 });
export const parseUiTars = (text: string, image: ImageSize): ParsedLocation => parseAnswer('ui-tars', text, image);

/** The 2 or 4 numbers of the answer, from the most specific place the format puts them. */
function coordinateNumbers(text: string, spec: Spec): number[] {
  if (/\b(nan|inf|infinity)\b/i.test(text)) throw bad(spec, text, 'it contains NaN/Infinity instead of numbers');
  const region = preferredRegion(text);
  if (region !== undefined) {
    const nums = numbersIn(region);
    if (nums.length === 2 || nums.length === 4) return nums;
    throw bad(spec, text, nums.length === 0 ? 'the coordinate tokens are empty' : `${nums.length} numbers where 2 (point) or 4 (box) belong — half a box?`);
  }
  const groups = bracketGroups(text);
  if (groups.length > 0) {
    const first = groups[0]!;
    if (first.nums.length === 3) throw bad(spec, text, '3 numbers where 2 (point) or 4 (box) belong — half a box?');
    const next = groups[1];
    // "(x1,y1),(x2,y2)" without the special tokens is still a box.
    if (first.nums.length === 2 && next?.nums.length === 2 && /^\s*,?\s*(and|to|-)?\s*$/.test(text.slice(first.end, next.start))) {
      return [...first.nums, ...next.nums];
    }
    return first.nums;
  }
  const bare = /^\s*(?:answer\s*:\s*)?(?:x\s*[=:]\s*)?([-+]?[\d.]+)\s*,?\s*(?:y\s*[=:]\s*)?([-+]?[\d.]+)\s*\.?\s*$/i.exec(text);
  if (bare) return [Number(bare[1]), Number(bare[2])];
  const xy = new RegExp(String.raw`\bx\s*[=:]\s*(${NUM})\s*,?\s*\by\s*[=:]\s*(${NUM})`, 'i').exec(text);
  if (xy) return [Number(xy[1]), Number(xy[2])];
  throw bad(spec, text, text.trim() === '' ? 'the answer is empty' : 'no coordinates in it');
}

/** Text between the format's own coordinate tokens, when the answer has them. */
function preferredRegion(text: string): string | undefined {
  const box = /<\|box_start\|>([\s\S]*?)(?:<\|box_end\|>|$)/.exec(text);
  if (box) return box[1]!;
  const point = /<point>([\s\S]*?)(?:<\/point>|$)/.exec(text);
  if (point) return point[1]!;
  const bbox = /<bbox>([\s\S]*?)(?:<\/bbox>|$)/.exec(text);
  if (bbox) return bbox[1]!;
  // UI-TARS action text: click(start_box='(x,y)') / click(point='(x,y)'); the last action wins
  // over coordinates mentioned in the Thought.
  const action = /(?:start_box|point)\s*=\s*['"]([^'"]*)['"]?/.exec(text.slice(Math.max(0, text.lastIndexOf('Action:'))));
  if (action) return action[1]!;
  return undefined;
}

function numbersIn(s: string): number[] {
  return (s.match(NUMBER) ?? []).map(Number);
}

function bracketGroups(text: string): Array<{ nums: number[]; start: number; end: number }> {
  const out: Array<{ nums: number[]; start: number; end: number }> = [];
  for (const m of text.matchAll(GROUP)) out.push({ nums: numbersIn(m[1]!), start: m.index, end: m.index + m[0].length });
  return out;
}

function toLocation(n: number[], space: ModelSpace): ParsedLocation {
  if (n.length === 2) return { point: { space, x: n[0]!, y: n[1]! } };
  const x1 = Math.min(n[0]!, n[2]!);
  const x2 = Math.max(n[0]!, n[2]!);
  const y1 = Math.min(n[1]!, n[3]!);
  const y2 = Math.max(n[1]!, n[3]!);
  return {
    point: { space, x: (x1 + x2) / 2, y: (y1 + y2) / 2 },
    box: { space, x: x1, y: y1, width: x2 - x1, height: y2 - y1 },
  };
}

function bad(spec: Spec, text: string, why: string): ModelError {
  const quoted = JSON.stringify(text.length > 160 ? `${text.slice(0, 160)}…` : text);
  return new ModelError(`${spec.label} answer ${quoted} is not a location (${why}); expected ${spec.expected}`, 'MODEL_BAD_OUTPUT');
}
