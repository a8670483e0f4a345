import type { Box } from '../shared/geometry.js';
import type { OcrLine, OcrResult } from '../perception/ocr/types.js';
import { textScore } from './text-match.js';

/** A piece of on-screen text that could be the target: a line, or a run of words in a line. */
export interface TextCandidate {
  text: string;
  /** Frame (screen) pixels. */
  box: Box;
  score: number;
  ocrConfidence: number;
  lineIndex: number;
}

export function unionBox(boxes: Box[]): Box {
  const x1 = Math.min(...boxes.map((b) => b.x));
  const y1 = Math.min(...boxes.map((b) => b.y));
  const x2 = Math.max(...boxes.map((b) => b.x + b.width));
  const y2 = Math.max(...boxes.map((b) => b.y + b.height));
  return { x: x1, y: y1, width: x2 - x1, height: y2 - y1 };
}

function overlapRatio(a: Box, b: Box): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (w <= 0 || h <= 0) return 0;
  return (w * h) / Math.min(a.width * a.height || 1, b.width * b.height || 1);
}

/**
 * Scores every line and every run of up to (query words + 1) consecutive words against the
 * query, keeps those above `minScore`, and drops weaker duplicates of the same spot.
 */
export function findTextCandidates(ocr: OcrResult, query: string, minScore = 0.6): TextCandidate[] {
  const queryWords = query.trim().split(/\s+/).length;
  const found: TextCandidate[] = [];
  ocr.lines.forEach((line, lineIndex) => {
    consider(found, line.text, line.box, line.confidence, lineIndex, query, minScore);
    addWordRuns(found, line, lineIndex, query, queryWords, minScore);
  });
  // The detector sometimes splits one line of text into neighbouring boxes ("Write" |
  // "eyouranswer" | "here" on a terminal): neighbours on one row are also tried together.
  for (const row of rowRuns(ocr.lines)) {
    consider(found, row.line.text, row.line.box, row.line.confidence, row.index, query, minScore, 0.95);
    addWordRuns(found, row.line, row.index, query, queryWords, minScore, 0.95);
  }
  found.sort((a, b) => b.score - a.score || a.text.length - b.text.length);
  const kept: TextCandidate[] = [];
  for (const c of found) {
    if (!kept.some((k) => overlapRatio(k.box, c.box) > 0.5)) kept.push(c);
  }
  return kept;
}

/** Runs of 2–3 OCR lines that sit next to each other on one row, as one synthetic line. */
function rowRuns(lines: OcrLine[]): Array<{ line: OcrLine; index: number }> {
  const out: Array<{ line: OcrLine; index: number }> = [];
  const sorted = lines.map((l, i) => ({ l, i })).sort((a, b) => a.l.box.x - b.l.box.x);
  for (const start of sorted) {
    let run = [start];
    for (let k = 0; k < 2; k++) {
      const last = run[run.length - 1]!.l;
      const next = sorted.find(({ l }) => l !== last && !run.some((r) => r.l === l) && sameRow(last, l) && l.box.x >= last.box.x && l.box.x - (last.box.x + last.box.width) < last.box.height * 1.5);
      if (!next) break;
      run = [...run, next];
      const words = run.flatMap((r) => r.l.words);
      out.push({
        index: start.i,
        line: {
          text: run.map((r) => r.l.text).join(' '),
          box: unionBox(run.map((r) => r.l.box)),
          confidence: Math.min(...run.map((r) => r.l.confidence)),
          words,
        },
      });
    }
  }
  return out;
}

function sameRow(a: OcrLine, b: OcrLine): boolean {
  const ay = a.box.y + a.box.height / 2;
  const by = b.box.y + b.box.height / 2;
  return Math.abs(ay - by) < Math.max(a.box.height, b.box.height) * 0.5;
}

function addWordRuns(out: TextCandidate[], line: OcrLine, lineIndex: number, query: string, n: number, minScore: number, weight = 1): void {
  const words = line.words;
  for (let i = 0; i < words.length; i++) {
    for (let len = 1; len <= n + 1 && i + len <= words.length; len++) {
      const run = words.slice(i, i + len);
      if (run.length === words.length) continue; // the whole line is already a candidate
      const conf = run.reduce((s, w) => s + w.confidence, 0) / run.length;
      // A run inside a longer line scores a little lower than a line that is exactly the label.
      consider(out, run.map((w) => w.text).join(' '), unionBox(run.map((w) => w.box)), conf, lineIndex, query, minScore, 0.95 * weight);
    }
  }
}

function consider(
  out: TextCandidate[],
  text: string,
  box: Box,
  conf: number,
  lineIndex: number,
  query: string,
  minScore: number,
  weight = 1,
): void {
  const score = textScore(query, text) * weight;
  if (score >= minScore) out.push({ text, box, score, ocrConfidence: conf, lineIndex });
}

/** Reading order: rows top to bottom (boxes whose centres are within half a height share a row), then left to right. */
export function readingOrder<T extends { box: Box }>(items: T[]): T[] {
  return [...items].sort((a, b) => {
    const ay = a.box.y + a.box.height / 2;
    const by = b.box.y + b.box.height / 2;
    const band = Math.max(a.box.height, b.box.height) / 2;
    if (Math.abs(ay - by) > band) return ay - by;
    return a.box.x - b.box.x;
  });
}
