/**
 * Greedy CTC decoding that keeps the alignment: for each character, the output time steps it
 * was read at. The recogniser's time steps are evenly spaced columns of the line image, which is
 * what lets us place words without a separate word detector.
 */

export interface DecodedChar {
  text: string;
  /** Highest class probability over the steps the character was read at. */
  prob: number;
  /** First and last time step (inclusive) of the run that produced the character. */
  firstStep: number;
  lastStep: number;
}

/**
 * Decodes one row of a [N, T, C] softmax output. `labels[0]` is the blank. Repeated classes
 * merge unless a blank separates them, as in CTC training.
 */
export function ctcDecode(
  probs: Float32Array,
  rowOffset: number,
  steps: number,
  classes: number,
  labels: readonly string[],
): DecodedChar[] {
  const chars: DecodedChar[] = [];
  let previous = 0;
  for (let t = 0; t < steps; t++) {
    const base = rowOffset + t * classes;
    let best = 0;
    let bestProb = probs[base]!;
    for (let c = 1; c < classes; c++) {
      const p = probs[base + c]!;
      if (p > bestProb) {
        bestProb = p;
        best = c;
      }
    }
    if (best !== 0) {
      const last = chars.at(-1);
      if (best === previous && last) {
        last.lastStep = t;
        if (bestProb > last.prob) last.prob = bestProb;
      } else {
        chars.push({ text: labels[best] ?? '', prob: bestProb, firstStep: t, lastStep: t });
      }
    }
    previous = best;
  }
  return chars;
}

/** Splits decoded characters into words at spaces; leading/trailing/double spaces vanish. */
export function splitWords(chars: readonly DecodedChar[]): DecodedChar[][] {
  const words: DecodedChar[][] = [];
  let current: DecodedChar[] = [];
  for (const ch of chars) {
    if (ch.text.trim() === '') {
      if (current.length) words.push(current);
      current = [];
    } else {
      current.push(ch);
    }
  }
  if (current.length) words.push(current);
  return words;
}

export function meanProb(chars: readonly DecodedChar[]): number {
  if (!chars.length) return 0;
  let sum = 0;
  for (const ch of chars) sum += ch.prob;
  return sum / chars.length;
}
