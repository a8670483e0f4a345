// Plain JavaScript: bin/deskpilot.js loads this before anything can run TypeScript.
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Start-up bundles of the `deskpilot` command, the test worker and a test run's OCR server. Run
 * through tsx, each start resolves and loads ~250 TypeScript modules through loader hooks
 * (`deskpilot --version`: 1.6 s wall, 1.2 s CPU); one esbuild bundle of the same sources loads in
 * 0.7 s / 0.5 s, and a test worker is ready ~1.3 s sooner. A bundle is rebuilt (about 0.3 s) when any source it was built
 * from changed, so a clone still runs right after `npm ci` and an edit shows at the next run.
 * Pure-JavaScript packages are bundled too (see PACKAGES); native addons load from node_modules.
 * DESKPILOT_NO_BUNDLE=1 runs the sources through tsx instead (stack traces point into src/).
 */

/** The package root: the nearest folder upwards with DeskPilot's package.json (src/ or dist/ alike). */
export const ROOT = findRoot(path.dirname(fileURLToPath(import.meta.url)));

export const BUNDLES = {
  cli: 'src/cli/main.ts',
  'test-worker': 'src/cli/commands/test-worker.ts',
  'ocr-server': 'src/runner/suite/ocr-server-main.ts',
};

/**
 * Each is built as one CommonJS script, started through a launcher that uses V8's code
 * cache (src/cli/run-cached.cjs): compiling its bundle was ~0.1 s of CPU in each test worker's
 * start. (ensureBundle also builds ES modules split into chunks, for an `out` ending in .mjs.)
 */
const OUT_FILES = { cli: 'cli.cjs', 'test-worker': 'test-worker.cjs', 'ocr-server': 'ocr-server.cjs' };

/** The launcher copied next to a CommonJS bundle. */
const LAUNCHER = path.join(ROOT, 'src', 'cli', 'run-cached.cjs');

/**
 * The path of an up-to-date bundle of `name` (built first when missing or stale), or null when
 * bundles are switched off or cannot be built here (then the caller runs the sources via tsx).
 * @param {keyof typeof BUNDLES} name
 * @returns {Promise<string | null>}
 */
export async function freshBundle(name) {
  if (process.env.DESKPILOT_NO_BUNDLE === '1') return null;
  return ensureBundle(ROOT, BUNDLES[name], path.join(ROOT, 'dist', 'node', OUT_FILES[name]));
}

/**
 * The entry of an up-to-date build of `entry` (relative to `root`): `out` names it (dist/node/cli.mjs
 * → dist/node/cli-<hash>/cli.mjs, with its lazily loaded chunks beside it). An `out` ending in .cjs
 * is built as one CommonJS script (NAME.code.cjs) and the entry is its launcher (NAME.cjs, see
 * src/cli/run-cached.cjs). Built unless the record of the last build says that none of the files
 * it was built from changed since; null when it cannot be built.
 * @param {string} root @param {string} entry @param {string} out @param {Packages} [packages]
 * @returns {Promise<string | null>}
 */
export async function ensureBundle(root, entry, out, packages = PACKAGES) {
  const record = `${out}.inputs.json`;
  const fresh = freshEntry(root, out, record);
  if (fresh) return fresh;
  try {
    return await buildBundle(root, entry, out, record, packages);
  } catch {
    // No esbuild, a read-only install, a syntax error: tsx runs the sources and reports the error.
    return null;
  }
}

/** @param {string} root @param {string} out @param {string} record @returns {string | null} */
function freshEntry(root, out, record) {
  try {
    /** @type {{ inputs: Record<string, string>, entry: string }} */
    const { inputs, entry } = JSON.parse(readFileSync(record, 'utf8'));
    const file = path.join(path.dirname(out), entry);
    statSync(file);
    for (const [input, stamp] of Object.entries(inputs)) {
      if (stampOf(path.join(root, input)) !== stamp) return null;
    }
    return Object.keys(inputs).length > 0 ? file : null;
  } catch {
    return null;
  }
}

/** @param {string} file */
function stampOf(file) {
  const s = statSync(file);
  return `${s.mtimeMs}:${s.size}`;
}

/**
 * Older builds are removed once nothing is likely to load their chunks any more: a process
 * started from one (a long test suite, which may start a replacement worker hours later) still
 * can. Kept: the newest KEEP_BUILDS, any younger than an hour, none older than a day.
 */
const KEEP_BUILDS = 8;
const HOUR_MS = 3600_000;

/**
 * What the entry imports dynamically (the engine, the OCR models, the test runner) is evaluated
 * on first use: in chunks beside an ES-module build, in lazily run wrappers inside a CommonJS
 * script. A build goes to a folder named by its content's hash, moved into place whole;
 * the record naming it is replaced last, so a concurrent start sees either build, never half of one.
 * @param {string} root @param {string} entry @param {string} out @param {string} record @param {Packages} packages
 * @returns {Promise<string>}
 */
async function buildBundle(root, entry, out, record, packages) {
  const { build } = await import('esbuild');
  const name = path.basename(out).replace(/\.[cm]js$/, '');
  const parent = path.dirname(out);
  mkdirSync(parent, { recursive: true });
  const tmp = path.join(parent, `.${name}.${process.pid}.tmp`);
  rmSync(tmp, { recursive: true, force: true });
  try {
    const started = Date.now();
    const script = out.endsWith('.cjs');
    const common = /** @type {const} */ ({
      absWorkingDir: root,
      outdir: tmp,
      bundle: true,
      platform: 'node',
      target: 'node20',
      plugins: [packagesPlugin(packages, { script })],
      sourcemap: 'linked',
      metafile: true,
      logLevel: 'silent',
    });
    const result = script
      ? await build({
          ...common,
          entryPoints: { [`${name}.code`]: entry },
          outExtension: { '.js': '.cjs' },
          format: 'cjs',
          // import.meta.url where the ES module would have it: the bundle's own file.
          define: { 'import.meta.url': '__dpImportMetaUrl' },
          banner: { js: "var __dpImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
        })
      : await build({
          ...common,
          entryPoints: { [name]: entry },
          outExtension: { '.js': '.mjs' },
          chunkNames: 'chunk-[hash]',
          splitting: true,
          format: 'esm',
          // The CommonJS code bundled in calls require() for Node's modules and the native packages.
          banner: { js: "import { createRequire as __dpCreateRequire } from 'node:module'; const require = __dpCreateRequire(import.meta.url);" },
        });
    // Any other use of import.meta would be an empty object in a CommonJS script: not a bundle then.
    const lost = result.warnings.find((w) => w.id === 'empty-import-meta');
    if (lost) throw new Error(`${lost.location?.file}:${lost.location?.line}: ${lost.text}`);
    if (script) {
      // Every import() left to Node must go through the launcher (see DYNAMIC_IMPORT).
      const unmarked = Object.values(result.metafile.outputs)
        .flatMap((o) => o.imports)
        .find((i) => i.kind === 'dynamic-import' && i.external && !i.path.startsWith(DYNAMIC_IMPORT));
      if (unmarked) throw new Error(`import('${unmarked.path}') would fail in a script run from the code cache`);
      const code = path.join(tmp, `${name}.code.cjs`);
      writeFileSync(code, readFileSync(code, 'utf8').replaceAll(`import("${DYNAMIC_IMPORT}`, '__dpImport("'));
      copyFileSync(LAUNCHER, path.join(tmp, `${name}.cjs`));
    }
    // Inputs are named from absWorkingDir. A file edited while esbuild read it gets a stamp that
    // can never match, so the next start builds again instead of trusting a half-old bundle.
    /** @type {Record<string, string>} */
    const inputs = {};
    for (const file of Object.keys(result.metafile.inputs)) {
      if (/^(required|lazy|zod-locales):/.test(file)) continue; // not a file of the build (see packagesPlugin)
      const s = statSync(path.join(root, file));
      inputs[file] = s.mtimeMs > started ? 'changed during the build' : `${s.mtimeMs}:${s.size}`;
    }
    if (script) inputs[path.relative(root, LAUNCHER)] = stampOf(LAUNCHER);
    const hash = createHash('sha256');
    for (const file of readdirSync(tmp).sort()) hash.update(file).update(readFileSync(path.join(tmp, file)));
    const dir = `${name}-${hash.digest('hex').slice(0, 12)}`;
    const file = `${name}${script ? '.cjs' : '.mjs'}`;
    try {
      renameSync(tmp, path.join(parent, dir));
    } catch {
      // The same build is already there (another process built the same sources): use that one.
      statSync(path.join(parent, dir, file));
    }
    writeFileSync(`${record}.${process.pid}`, JSON.stringify({ inputs, entry: `${dir}/${file}` }));
    renameSync(`${record}.${process.pid}`, record);
    removeOldBuilds(parent, name, dir);
    return path.join(parent, dir, file);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * @typedef {{ bundled: Set<string>, native: Set<string>, lazy: Set<string> }} Packages
 * Which packages go into a bundle, and how the others load.
 */

/**
 * Loaded from node_modules through ESM `import`, a CommonJS package costs its resolution and a
 * parse by Node's CJS lexer for its named exports: ~0.25 s of a test worker's 0.85 s start. So:
 * - `bundled`: these packages, and every package they import, go into the bundle (pure JS);
 * - `native`: addons, and packages that find files next to their own code, stay in node_modules
 *   and load through require() (no lexer pass); a name ending in * stands for every package it
 *   begins;
 * - `lazy`: loaded on first use of their default export. nut-js loads jimp (image files) and
 *   clipboardy at start-up; DeskPilot uses neither (sharp encodes images, xclip the clipboard),
 *   and they were ~0.1 s of every start.
 * Any other package is left to Node (`import` at run time), as before.
 * @type {Packages}
 */
export const PACKAGES = {
  // sharp's JavaScript (and semver, detect-libc) is bundled, its addon is not (@img/sharp-<platform>,
  // below); pino is used without transports (the ones that start worker threads by file path).
  bundled: new Set(['yaml', 'zod', 'commander', 'ws', '@nut-tree-fork/nut-js', 'sharp', 'pino']),
  native: new Set([
    'onnxruntime-node',
    '@img/sharp-*',
    'better-sqlite3',
    '@nut-tree-fork/libnut-linux',
    '@nut-tree-fork/libnut-darwin',
    '@nut-tree-fork/libnut-win32',
    '@nut-tree-fork/node-mac-permissions',
  ]),
  lazy: new Set(['jimp', 'clipboardy']),
};

/** @param {string} spec */
function packageOf(spec) {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/**
 * In a script run from V8's code cache, Node 20 has lost the callback that import() needs ("A
 * dynamic import callback was not specified"): the script's import() calls of packages left to
 * Node (the OCR runtime in `deskpilot doctor`, the key hook when recording, vite, openai) go
 * through its launcher instead, which passes the wrapper a `__dpImport` (src/cli/run-cached.cjs).
 */
const DYNAMIC_IMPORT = 'deskpilot-import:';

/** @param {Packages} packages @param {{ script?: boolean }} [options] @returns {import('esbuild').Plugin} */
export function packagesPlugin(packages, options = {}) {
  const dynamicImport = (/** @type {string} */ spec) => ({ path: options.script ? `${DYNAMIC_IMPORT}${spec}` : spec, external: true });
  const nativePrefixes = [...packages.native].filter((n) => n.endsWith('*')).map((n) => n.slice(0, -1));
  return {
    name: 'deskpilot-packages',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        // The require() inside the stand-ins below is Node's, at run time.
        if (args.namespace === 'required' || args.namespace === 'lazy') return { external: true };
        if (args.path.startsWith('node:')) return args.kind === 'dynamic-import' ? dynamicImport(args.path) : { external: true };
        const pkg = packageOf(args.path);
        const native = packages.native.has(pkg) || nativePrefixes.some((prefix) => pkg.startsWith(prefix));
        const fromPackage = args.importer.includes(`${path.sep}node_modules${path.sep}`);
        // A bundle split at `import('pkg')` of CommonJS code exposes only its default export.
        // A native or lazy package is then left to Node (the same module instance as require()'s);
        // a bundled one must be imported statically by a module of ours that is imported instead.
        if (args.kind === 'dynamic-import' && !fromPackage) {
          if (native || packages.lazy.has(pkg)) return dynamicImport(args.path);
          if (packages.bundled.has(pkg))
            return {
              errors: [
                {
                  text: `import('${args.path}') in ${path.relative(process.cwd(), args.importer)}: a bundled CommonJS package loses its named exports at a split; import it statically in a module of ours and import that one (see src/actions/nut.ts)`,
                },
              ],
            };
        }
        if (packages.lazy.has(pkg)) return { path: args.path, namespace: 'lazy' };
        if (native) return { path: args.path, namespace: 'required' };
        if (packages.bundled.has(pkg) || fromPackage) return undefined; // esbuild bundles it
        return args.kind === 'dynamic-import' ? dynamicImport(args.path) : { external: true };
      });
      // zod's `z.locales` names its error messages in 60-odd languages (~0.3 MB, a third of the
      // zod code every process compiled at start); DeskPilot's messages are English. If zod
      // moves the file, this matches nothing and the languages stay.
      b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
        /[\\/]zod[\\/]v4[\\/](classic[\\/]external|core[\\/]index)\.js$/.test(args.importer)
          ? { path: path.join(path.dirname(args.importer), '..', 'locales', 'en.js'), namespace: 'zod-locales' }
          : undefined,
      );
      b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
        contents: `export { default as en } from ${JSON.stringify(args.path)};`,
        resolveDir: path.dirname(args.path),
        loader: 'js',
      }));
      b.onLoad({ filter: /.*/, namespace: 'required' }, (args) => ({
        contents: `module.exports = require(${JSON.stringify(args.path)});`,
        loader: 'js',
      }));
      // For CommonJS callers that take the default export when they use it (TypeScript's
      // __importDefault(require(x)), then x_1.default.method()): loaded at that first use.
      b.onLoad({ filter: /.*/, namespace: 'lazy' }, (args) => ({
        contents: `let loaded; module.exports = { __esModule: true, get default() { loaded ??= require(${JSON.stringify(args.path)}); return loaded && loaded.__esModule ? loaded.default : loaded; } };`,
        loader: 'js',
      }));
    },
  };
}

/** @param {string} parent @param {string} name @param {string} keep */
function removeOldBuilds(parent, name, keep) {
  /** @type {{ dir: string, age: number }[]} */
  const builds = [];
  for (const dir of readdirSync(parent)) {
    if (dir === keep || !dir.startsWith(`${name}-`)) continue;
    try {
      builds.push({ dir, age: Date.now() - statSync(path.join(parent, dir)).mtimeMs });
    } catch {
      // removed meanwhile by another process
    }
  }
  builds.sort((a, b) => a.age - b.age);
  builds.forEach(({ dir, age }, i) => {
    if (age > 24 * HOUR_MS || (i >= KEEP_BUILDS - 1 && age > HOUR_MS)) rmSync(path.join(parent, dir), { recursive: true, force: true });
  });
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
