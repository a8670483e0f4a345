import type { GrayImage } from './gray.js';

/**
 * Zero-mean normalised cross-correlation (OpenCV's TM_CCOEFF_NORMED, what SikuliX scores with):
 *
 *   score(u,v) = Σ T'(i,j)·I(u+i,v+j) / (‖T'‖ · sqrt(ΣI² − (ΣI)²/n))
 *
 * with T' the template minus its mean (so the image's mean drops out of the numerator). The
 * window sums ΣI and ΣI² come from integral images in O(1) a position; only the numerator
 * costs template-area multiplications.
 */

/** Summed-area tables of an image and of its square, (w+1)×(h+1), Float64 for exact sums. */
export interface Integral {
  width: number;
  sum: Float64Array;
  sq: Float64Array;
}

export interface PreparedTemplate {
  width: number;
  height: number;
  /** Template minus its mean. */
  zeroMean: Float32Array;
  /** sqrt(Σ T'²); zero for a flat template. */
  norm: number;
}

/** Below this window variance (grey levels²) a screen area is flat: no match, not a division by ~0. */
const FLAT = 1e-3;

export function integral(img: GrayImage): Integral {
  const w = img.width + 1;
  const sum = new Float64Array(w * (img.height + 1));
  const sq = new Float64Array(w * (img.height + 1));
  for (let y = 0; y < img.height; y++) {
    let rs = 0;
    let rq = 0;
    const src = y * img.width;
    const up = y * w;
    const row = up + w;
    for (let x = 0; x < img.width; x++) {
      const v = img.data[src + x]!;
      rs += v;
      rq += v * v;
      sum[row + x + 1] = sum[up + x + 1]! + rs;
      sq[row + x + 1] = sq[up + x + 1]! + rq;
    }
  }
  return { width: w, sum, sq };
}

export function prepareTemplate(t: GrayImage): PreparedTemplate {
  const n = t.data.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += t.data[i]!;
  mean /= n;
  const zeroMean = new Float32Array(n);
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const d = t.data[i]! - mean;
    zeroMean[i] = d;
    ss += d * d;
  }
  return { width: t.width, height: t.height, zeroMean, norm: Math.sqrt(ss) };
}

/** Window standard-deviation term sqrt(ΣI² − (ΣI)²/n) at (u,v) for a w×h window. */
function windowSpread(ii: Integral, u: number, v: number, w: number, h: number): number {
  const a = v * ii.width + u;
  const b = a + w;
  const c = (v + h) * ii.width + u;
  const d = c + w;
  const s = ii.sum[d]! - ii.sum[b]! - ii.sum[c]! + ii.sum[a]!;
  const q = ii.sq[d]! - ii.sq[b]! - ii.sq[c]! + ii.sq[a]!;
  const v2 = q - (s * s) / (w * h);
  return v2 > FLAT * w * h ? Math.sqrt(v2) : 0;
}

/** The score at one position (top-left u,v); callers keep the template inside the image. */
export function nccAt(img: GrayImage, ii: Integral, t: PreparedTemplate, u: number, v: number): number {
  const spread = windowSpread(ii, u, v, t.width, t.height);
  if (spread === 0 || t.norm === 0) return 0;
  const data = img.data;
  const tz = t.zeroMean;
  const iw = img.width;
  let acc = 0;
  let k = 0;
  for (let j = 0; j < t.height; j++) {
    let p = (v + j) * iw + u;
    const end = k + t.width;
    while (k < end) acc += tz[k++]! * data[p++]!;
  }
  const r = acc / (t.norm * spread);
  return r > 1 ? 1 : r < -1 ? -1 : r;
}

/**
 * The score at one position with the window sums taken directly: for the few positions a
 * refinement scores, cheaper than building a full-resolution integral image (~40 ms at 1280x800).
 */
export function nccAtDirect(img: GrayImage, t: PreparedTemplate, u: number, v: number): number {
  if (t.norm === 0) return 0;
  const data = img.data;
  const tz = t.zeroMean;
  const iw = img.width;
  let acc = 0;
  let s = 0;
  let q = 0;
  let k = 0;
  for (let j = 0; j < t.height; j++) {
    let p = (v + j) * iw + u;
    const end = k + t.width;
    while (k < end) {
      const x = data[p++]!;
      acc += tz[k++]! * x;
      s += x;
      q += x * x;
    }
  }
  const n = t.width * t.height;
  const v2 = q - (s * s) / n;
  if (v2 <= FLAT * n) return 0;
  const r = acc / (t.norm * Math.sqrt(v2));
  return r > 1 ? 1 : r < -1 ? -1 : r;
}

/** Scores of every position, row-major, (W−w+1)×(H−h+1); empty when the template does not fit. */
export function nccMap(img: GrayImage, ii: Integral, t: PreparedTemplate): { width: number; height: number; scores: Float32Array } {
  const mw = img.width - t.width + 1;
  const mh = img.height - t.height + 1;
  if (mw <= 0 || mh <= 0 || t.norm === 0) return { width: 0, height: 0, scores: new Float32Array(0) };
  const scores = new Float32Array(mw * mh);
  for (let v = 0; v < mh; v++) {
    for (let u = 0; u < mw; u++) scores[v * mw + u] = nccAt(img, ii, t, u, v);
  }
  return { width: mw, height: mh, scores };
}
