import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { build as viteBuild } from 'vite';
import { ROOT } from '../cli/bundle.mjs';
import { AppError } from '../shared/errors.js';

/** Where `npm run build:renderer` puts the UI, and the config that builds it. */
export const RENDERER_DIR = path.join(ROOT, 'dist', 'renderer');
export const VITE_CONFIG = path.join(ROOT, 'vite.config.mjs');

export function rendererBuilt(dir = RENDERER_DIR): boolean {
  return existsSync(path.join(dir, 'index.html'));
}

/** Newest change among the UI's sources (renderer + the shared contract it imports); 0 without sources. */
function newestSource(): number {
  let newest = 0;
  for (const dir of ['src/renderer', 'src/shared']) {
    const full = path.join(ROOT, dir);
    if (!existsSync(full)) continue;
    for (const f of readdirSync(full, { recursive: true, withFileTypes: true })) {
      if (f.isFile()) newest = Math.max(newest, statSync(path.join(f.parentPath, f.name)).mtimeMs);
    }
  }
  return newest;
}

/** Built, and not older than its sources (a checkout that changed the UI rebuilds it once). */
function upToDate(dir: string): boolean {
  return rendererBuilt(dir) && statSync(path.join(dir, 'index.html')).mtimeMs >= newestSource();
}

/**
 * Builds the renderer with vite's JS API when it is missing (a fresh checkout, CI), so `deskpilot
 * ui` and the e2e tests need no separate step. vite is a dev dependency: an installed app ships
 * the built folder, and a missing one is explained rather than crashed on.
 */
export async function ensureRenderer(outDir = RENDERER_DIR, note: (line: string) => void = () => undefined): Promise<string> {
  if (upToDate(outDir)) return outDir;
  note(`the UI is not built or older than its sources: building it into ${outDir} (\`npm run build:renderer\` does the same)…`);
  let build: typeof viteBuild;
  try {
    ({ build } = await import('vite'));
  } catch (err) {
    throw new AppError('RENDERER_MISSING', `the UI is not built (${outDir}/index.html is missing) and vite is not installed to build it: run \`npm install\` then \`npm run build:renderer\``, { cause: err });
  }
  await build({ configFile: VITE_CONFIG, build: { outDir, emptyOutDir: true }, logLevel: 'warn' });
  if (!rendererBuilt(outDir)) throw new AppError('RENDERER_MISSING', `building the UI did not produce ${outDir}/index.html`);
  return outDir;
}
