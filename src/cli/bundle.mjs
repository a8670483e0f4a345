// Plain JavaScript: bin/deskpilot.js loads this before anything can run TypeScript.
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Start-up bundles of the `deskpilot` command and of the test worker. Run through tsx, each start
 * resolves and loads ~250 TypeScript modules through loader hooks (`deskpilot --version`: 1.6 s
 * wall, 1.2 s CPU); one esbuild bundle of the same sources loads in 0.7 s / 0.5 s, and a test
 * worker is ready ~1.3 s sooner. A bundle is rebuilt (about 0.3 s) when any source it was built
 * from changed, so a clone still runs right after `npm ci` and an edit shows at the next run.
 * Packages stay external (native modules load from node_modules as before).
 * DESKPILOT_NO_BUNDLE=1 runs the sources through tsx instead (stack traces point into src/).
 */

/** The package root: the nearest folder upwards with DeskPilot's package.json (src/ or dist/ alike). */
export const ROOT = findRoot(path.dirname(fileURLToPath(import.meta.url)));

export const BUNDLES = {
  cli: 'src/cli/main.ts',
  'test-worker': 'src/cli/commands/test-worker.ts',
};

/**
 * The path of an up-to-date bundle of `name` (built first when missing or stale), or null when
 * bundles are switched off or cannot be built here (then the caller runs the sources via tsx).
 * @param {keyof typeof BUNDLES} name
 * @returns {Promise<string | null>}
 */
export async function freshBundle(name) {
  if (process.env.DESKPILOT_NO_BUNDLE === '1') return null;
  return ensureBundle(ROOT, BUNDLES[name], path.join(ROOT, 'dist', 'node', `${name}.mjs`));
}

/**
 * `out`, built from `entry` (relative to `root`) unless the record of its last build says that
 * none of the files it was built from changed since; null when it cannot be built.
 * @param {string} root @param {string} entry @param {string} out
 * @returns {Promise<string | null>}
 */
export async function ensureBundle(root, entry, out) {
  const record = `${out}.inputs.json`;
  if (isFresh(root, out, record)) return out;
  try {
    await buildBundle(root, entry, out, record);
    return out;
  } catch {
    // No esbuild, a read-only install, a syntax error: tsx runs the sources and reports the error.
    return null;
  }
}

/** @param {string} root @param {string} out @param {string} record */
function isFresh(root, out, record) {
  try {
    statSync(out);
    /** @type {{ inputs: Record<string, string> }} */
    const { inputs } = JSON.parse(readFileSync(record, 'utf8'));
    for (const [file, stamp] of Object.entries(inputs)) {
      if (stampOf(path.join(root, file)) !== stamp) return false;
    }
    return Object.keys(inputs).length > 0;
  } catch {
    return false;
  }
}

/** @param {string} file */
function stampOf(file) {
  const s = statSync(file);
  return `${s.mtimeMs}:${s.size}`;
}

/** @param {string} root @param {string} entry @param {string} out @param {string} record */
async function buildBundle(root, entry, out, record) {
  const { build } = await import('esbuild');
  mkdirSync(path.dirname(out), { recursive: true });
  // Concurrent starts (parallel test files) each build to their own file and rename: a reader
  // never sees half a bundle.
  const tmp = `${out}.${process.pid}.tmp.mjs`;
  try {
    const started = Date.now();
    const result = await build({
      absWorkingDir: root,
      entryPoints: [entry],
      outfile: tmp,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'esm',
      packages: 'external',
      sourcemap: 'linked',
      metafile: true,
      logLevel: 'silent',
    });
    // Inputs are named from absWorkingDir. A file edited while esbuild read it gets a stamp that
    // can never match, so the next start builds again instead of trusting a half-old bundle.
    /** @type {Record<string, string>} */
    const inputs = {};
    for (const file of Object.keys(result.metafile.inputs)) {
      const s = statSync(path.join(root, file));
      inputs[file] = s.mtimeMs > started ? 'changed during the build' : `${s.mtimeMs}:${s.size}`;
    }
    renameSync(`${tmp}.map`, `${out}.map`);
    // The bundle names its map by the temporary file's name.
    writeFileSync(tmp, readFileSync(tmp, 'utf8').replace(/\/\/# sourceMappingURL=\S+\s*$/, `//# sourceMappingURL=${path.basename(out)}.map\n`));
    renameSync(tmp, out);
    writeFileSync(`${record}.${process.pid}`, JSON.stringify({ inputs }));
    renameSync(`${record}.${process.pid}`, record);
  } finally {
    rmSync(tmp, { force: true });
    rmSync(`${tmp}.map`, { force: true });
  }
}

/** @param {string} from */
function findRoot(from) {
  for (let dir = from; ; dir = path.dirname(dir)) {
    try {
      if (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).name === 'deskpilot') return dir;
    } catch {
      // no package.json here
    }
    if (path.dirname(dir) === dir) throw new Error(`DeskPilot's package.json was not found above ${from}`);
  }
}
