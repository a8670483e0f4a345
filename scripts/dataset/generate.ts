/**
 * Regenerates the ScreenSpot-format grounding dataset (issue 4, "the yardstick") from real screens:
 *   node --import tsx scripts/dataset/generate.ts --out test/fixtures/screenspot [--only web|gtk] [--look DIR]
 *
 * Web: the pages in scripts/dataset/pages rendered in headed Chromium on a private Xvfb screen,
 * element boxes from the DOM. GTK: galculator and mousepad under openbox, element boxes from the
 * accessibility tree (AT-SPI).
 *
 * Needs apt: xvfb openbox xdotool imagemagick chromium fonts-dejavu-core galculator mousepad
 *            dbus at-spi2-core python3-pyatspi gir1.2-atspi-2.0
 *
 * Writes OUT/annotations.jsonl (one row per sample: img_filename, instruction, bbox [x, y, w, h]
 * in screen pixels, data_type text|icon, platform linux|web, source dom|atspi) and OUT/*.png.
 * With --look DIR it also writes each screen with its boxes drawn, for a person to check.
 */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { generateGtk } from './gtk.js';
import { drawSamples, type Sample } from './images.js';
import { generateWeb } from './web.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { out: { type: 'string' }, only: { type: 'string' }, look: { type: 'string' } },
  });
  if (!values.out) throw new Error('usage: generate.ts --out DIR [--only web|gtk] [--look DIR]');
  const out = path.resolve(values.out);
  await mkdir(out, { recursive: true });
  // A stale image of a scene that no longer exists would sit in the dataset unannotated.
  for (const f of await readdir(out)) if (f.endsWith('.png') || f === 'annotations.jsonl') await rm(path.join(out, f));

  const images = new Map<string, Buffer>();
  const write = async (name: string, png: Buffer): Promise<void> => {
    images.set(name, png);
    await writeFile(path.join(out, name), png);
  };
  const samples: Sample[] = [];
  if (values.only !== 'gtk') samples.push(...(await generateWeb(write)));
  if (values.only !== 'web') samples.push(...(await generateGtk(write)));

  // An instruction that names two elements of one screen ("C" and "the C button" on galculator's
  // scientific keypad) has no single right answer: drop all of them.
  const key = (s: Sample): string =>
    `${s.img_filename}\n${s.instruction.toLowerCase().replace(/^the /, '').replace(/ (button|menu)$/, '')}`;
  const count = new Map<string, number>();
  for (const s of samples) count.set(key(s), (count.get(key(s)) ?? 0) + 1);
  const unique = samples.filter((s) => count.get(key(s)) === 1);
  samples.splice(0, samples.length, ...unique);
  await writeFile(path.join(out, 'annotations.jsonl'), samples.map((s) => JSON.stringify(s)).join('\n') + '\n');
  const icons = samples.filter((s) => s.data_type === 'icon').length;
  let bytes = 0;
  for (const png of images.values()) bytes += png.length;
  process.stderr.write(
    `${samples.length} samples (${samples.length - icons} text, ${icons} icon) on ${images.size} screens, ${(bytes / 1e6).toFixed(1)} MB of PNG\n`,
  );
  if (values.look) {
    await mkdir(values.look, { recursive: true });
    for (const [name, png] of images) {
      const own = samples.filter((s) => s.img_filename === name);
      await writeFile(path.join(values.look, `dataset-look-${name}`), await drawSamples(png, own));
    }
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`generate: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
