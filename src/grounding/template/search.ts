import { halve, resizeGray, type GrayImage } from './gray.js';
import { integral, nccAtDirect, nccMap, prepareTemplate, type PreparedTemplate } from './ncc.js';

/**
 * Multi-scale template search, coarse to fine: every position and a few scales on a small
 * pyramid level (a 1280x800 screen becomes 320x200), then each of the best few candidates is
 * refined level by level in a small window, narrowing the scale as it goes, and scored exactly
 * at full resolution. A full-resolution search of every scale would cost hundreds of times more.
 */

export interface SearchOptions {
  minScale?: number;
  maxScale?: number;
  /** Coarse candidates refined at full resolution. */
  candidates?: number;
}

/** A match in full-resolution screen pixels. */
export interface TemplateMatch {
  x: number;
  y: number;
  width: number;
  height: number;
  scale: number;
  score: number;
}

interface Candidate {
  /** Centre, full-resolution pixels. */
  cx: number;
  cy: number;
  scale: number;
  score: number;
}

/**
 * Coarse template at least this many pixels on its short side. At 4 a 36 px button lands on
 * half-pixel phases of the 8x pyramid level and scores 0.3 where it is; 5 found every case of a
 * phase/scale sweep (offsets 1–7 px, scales 0.9–1.1) on the synthetic screens.
 */
const MIN_COARSE_SIDE = 5;
const MAX_LEVEL = 4;
/** Neighbouring coarse scales differ by this ratio; refinement halves the step. */
const SCALE_STEP = 1.12;

export function searchTemplate(screen: GrayImage, template: GrayImage, options: SearchOptions = {}): TemplateMatch[] {
  const minScale = options.minScale ?? 0.8;
  const maxScale = options.maxScale ?? 1.25;
  const keep = options.candidates ?? 10;
  const pyramid = new Pyramid(screen, template);
  const level = coarseLevel(screen, template, minScale);
  const coarse = coarseCandidates(pyramid, level, coarseScales(minScale, maxScale), keep);
  const clip = (s: number): number => Math.min(maxScale, Math.max(minScale, s));
  const refined = coarse.map((c) => {
    let best = c;
    // The coarse scale is only roughly right (template sizes round to whole coarse pixels), so
    // the first step spans a whole coarse scale gap; each level halves it.
    let step = SCALE_STEP - 1;
    for (let k = level - 1; k >= 0; k--) {
      best = refine(pyramid, k, best, [clip(best.scale / (1 + step)), best.scale, clip(best.scale * (1 + step))], k === level - 1 ? 3 : 2);
      step /= 2;
    }
    // Full resolution: keep narrowing the scale until it moves the template edge < 1 px.
    best = refine(pyramid, 0, best, [best.scale], level === 0 ? 0 : 1);
    while (step * Math.max(template.width, template.height) * best.scale > 0.5) {
      best = refine(pyramid, 0, best, [clip(best.scale / (1 + step)), best.scale, clip(best.scale * (1 + step))], 1);
      step /= 2;
    }
    return best;
  });
  return distinct(refined.sort((a, b) => b.score - a.score), template).map((c) => toMatch(pyramid, c));
}

/** The deepest pyramid level where the smallest template keeps MIN_COARSE_SIDE pixels. */
function coarseLevel(screen: GrayImage, t: GrayImage, minScale: number): number {
  let level = 0;
  while (
    level < MAX_LEVEL &&
    (Math.min(t.width, t.height) * minScale) / 2 ** (level + 1) >= MIN_COARSE_SIDE &&
    Math.min(screen.width, screen.height) / 2 ** (level + 1) >= 16
  ) {
    level++;
  }
  return level;
}

function coarseScales(min: number, max: number): number[] {
  const out = new Set<number>([min, max]);
  for (let s = 1; s < max; s *= SCALE_STEP) if (s >= min) out.add(s);
  for (let s = 1 / SCALE_STEP; s > min; s /= SCALE_STEP) if (s <= max) out.add(s);
  // Drop a scale that nearly repeats its neighbour (e.g. the bound right after a step).
  return [...out].sort((a, b) => a - b).filter((s, i, all) => i === 0 || s / all[i - 1]! > 1.03);
}

/** Screen levels and templates per (scale, level), built once on demand. */
class Pyramid {
  private readonly levels: GrayImage[] = [];
  private readonly templates = new Map<string, PreparedTemplate>();

  constructor(
    screen: GrayImage,
    private readonly template: GrayImage,
  ) {
    this.levels.push(screen);
  }

  screen(level: number): GrayImage {
    while (this.levels.length <= level) this.levels.push(halve(this.levels[this.levels.length - 1]!));
    return this.levels[level]!;
  }

  templateAt(scale: number, level: number): PreparedTemplate | undefined {
    const w = Math.round((this.template.width * scale) / 2 ** level);
    const h = Math.round((this.template.height * scale) / 2 ** level);
    if (w < 1 || h < 1) return undefined;
    const key = `${w}x${h}`;
    let t = this.templates.get(key);
    if (!t) {
      t = prepareTemplate(resizeGray(this.template, w, h));
      this.templates.set(key, t);
    }
    return t;
  }

  scoreAt(level: number, scale: number, cx: number, cy: number, radius: number): Candidate | undefined {
    const t = this.templateAt(scale, level);
    const img = this.screen(level);
    if (!t || t.width > img.width || t.height > img.height) return undefined;
    const f = 2 ** level;
    const u0 = Math.round(cx / f - t.width / 2);
    const v0 = Math.round(cy / f - t.height / 2);
    let best: Candidate | undefined;
    for (let v = v0 - radius; v <= v0 + radius; v++) {
      if (v < 0 || v + t.height > img.height) continue;
      for (let u = u0 - radius; u <= u0 + radius; u++) {
        if (u < 0 || u + t.width > img.width) continue;
        const score = nccAtDirect(img, t, u, v);
        if (!best || score > best.score) best = { cx: (u + t.width / 2) * f, cy: (v + t.height / 2) * f, scale, score };
      }
    }
    return best;
  }
}

function coarseCandidates(p: Pyramid, level: number, scales: number[], keep: number): Candidate[] {
  const f = 2 ** level;
  const all: Candidate[] = [];
  const img = p.screen(level);
  // The only level searched exhaustively, so the only one that needs summed-area tables.
  const ii = integral(img);
  for (const scale of scales) {
    const t = p.templateAt(scale, level);
    if (!t) continue;
    const map = nccMap(img, ii, t);
    const { width: mw, height: mh, scores } = map;
    // 3x3 local maxima only: a peak's neighbours would otherwise fill the candidate list.
    for (let v = 0; v < mh; v++) {
      for (let u = 0; u < mw; u++) {
        const s = scores[v * mw + u]!;
        if (s <= 0.1 || !isLocalMax(scores, mw, mh, u, v, s)) continue;
        all.push({ cx: (u + t.width / 2) * f, cy: (v + t.height / 2) * f, scale, score: s });
      }
    }
  }
  all.sort((a, b) => b.score - a.score);
  const out: Candidate[] = [];
  for (const c of all) {
    if (out.length >= keep) break;
    if (!out.some((o) => overlaps(o, c, p))) out.push(c);
  }
  return out;
}

function isLocalMax(scores: Float32Array, mw: number, mh: number, u: number, v: number, s: number): boolean {
  for (let dv = -1; dv <= 1; dv++) {
    const y = v + dv;
    if (y < 0 || y >= mh) continue;
    for (let du = -1; du <= 1; du++) {
      const x = u + du;
      if ((du || dv) && x >= 0 && x < mw && scores[y * mw + x]! > s) return false;
    }
  }
  return true;
}

function refine(p: Pyramid, level: number, c: Candidate, scales: number[], radius: number): Candidate {
  let best = c;
  let first = true;
  for (const s of new Set(scales)) {
    const r = p.scoreAt(level, s, c.cx, c.cy, radius);
    // The candidate's own score came from a coarser level; the first score here replaces it.
    if (r && (first || r.score > best.score)) {
      best = r;
      first = false;
    }
  }
  return best;
}

/** Two candidates closer than half the template are the same place. */
function overlaps(a: Candidate, b: Candidate, p: Pyramid): boolean {
  const t = p.templateAt(Math.min(a.scale, b.scale), 0);
  if (!t) return false;
  return Math.abs(a.cx - b.cx) < t.width / 2 && Math.abs(a.cy - b.cy) < t.height / 2;
}

function distinct(sorted: Candidate[], template: GrayImage): Candidate[] {
  const out: Candidate[] = [];
  for (const c of sorted) {
    const same = out.some((o) => Math.abs(o.cx - c.cx) < (template.width * Math.min(o.scale, c.scale)) / 2 && Math.abs(o.cy - c.cy) < (template.height * Math.min(o.scale, c.scale)) / 2);
    if (!same) out.push(c);
  }
  return out;
}

function toMatch(p: Pyramid, c: Candidate): TemplateMatch {
  const t = p.templateAt(c.scale, 0)!;
  return { x: c.cx - t.width / 2, y: c.cy - t.height / 2, width: t.width, height: t.height, scale: c.scale, score: c.score };
}
