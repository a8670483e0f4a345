import type { OcrLine } from './types.js';

/**
 * Reading order: rows top to bottom, lines within a row left to right. Two lines share a row
 * when their vertical centres are closer than half the smaller height (toolbar labels, table
 * cells, a menu bar), which sorting by y alone gets wrong by a pixel of baseline jitter.
 */
export function readingOrder(lines: readonly OcrLine[]): OcrLine[] {
  const byTop = [...lines].sort((a, b) => a.box.y - b.box.y || a.box.x - b.box.x);
  const rows: OcrLine[][] = [];
  for (const line of byTop) {
    const centre = line.box.y + line.box.height / 2;
    const row = rows.find((r) => {
      const first = r[0]!;
      const firstCentre = first.box.y + first.box.height / 2;
      return Math.abs(centre - firstCentre) < Math.min(first.box.height, line.box.height) / 2;
    });
    if (row) row.push(line);
    else rows.push([line]);
  }
  return rows.flatMap((row) => row.sort((a, b) => a.box.x - b.box.x));
}
