import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureBundle, freshBundle, ROOT } from '../../../src/cli/bundle.mjs';

// The start-up bundles of `deskpilot` and the test worker: built from the sources, reused while
// no source changed, rebuilt after an edit, and never used when they cannot be built.
describe('start-up bundles', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const project = () => {
    dir = mkdtempSync(path.join(tmpdir(), 'deskpilot-bundle-'));
    writeFileSync(path.join(dir, 'main.ts'), "import { answer } from './answer.js';\nexport const value: number = answer * 2;\n");
    writeFileSync(path.join(dir, 'answer.ts'), 'export const answer = 21;\n');
    return { out: path.join(dir, 'dist', 'main.mjs') };
  };
  const load = async (file: string) =>
    ((await import(`${pathToFileURL(file).href}?t=${statSync(file).mtimeMs}`)) as { value: number }).value;

  it('builds, reuses the bundle while no source changed, and rebuilds after an edit', async () => {
    const { out } = project();
    const built = await ensureBundle(dir, 'main.ts', out);
    // Each build in a folder named by its content's hash, beside the record that names it.
    expect(built).toMatch(/[/\\]dist[/\\]main-[0-9a-f]{12}[/\\]main\.mjs$/);
    expect(await load(built!)).toBe(42);
    const stamp = statSync(built!).mtimeMs;
    expect((JSON.parse(readFileSync(`${out}.inputs.json`, 'utf8')) as { inputs: object }).inputs).toHaveProperty('answer.ts');

    expect(await ensureBundle(dir, 'main.ts', out)).toBe(built);
    expect(statSync(built!).mtimeMs).toBe(stamp); // not rebuilt

    writeFileSync(path.join(dir, 'answer.ts'), 'export const answer = 50;\n');
    const later = new Date(Date.now() + 5_000);
    utimesSync(path.join(dir, 'answer.ts'), later, later);
    const rebuilt = await ensureBundle(dir, 'main.ts', out);
    expect(rebuilt).not.toBe(built);
    expect(await load(rebuilt!)).toBe(100);
    // The older build stays for processes that started from it and still load its chunks.
    expect(await load(built!)).toBe(42);
  });

  it('removes older builds once no process is likely to load them: none over a day, the newest kept', async () => {
    const { out } = project();
    const dist = path.dirname(out);
    mkdirSync(dist, { recursive: true });
    const hour = 3600_000;
    const old = (name: string, ageMs: number) => {
      mkdirSync(path.join(dist, name));
      const t = new Date(Date.now() - ageMs);
      utimesSync(path.join(dist, name), t, t);
    };
    old('main-aaaaaaaaaaaa', 25 * hour); // over a day: removed
    for (let i = 0; i < 9; i++) old(`main-b${i}bbbbbbbbbb`, 2 * hour + i * 60_000); // beyond the newest 8 and over an hour: removed
    old('main-cccccccccccc', 10 * 60_000); // recent: kept
    old('other-dddddddddddd', 30 * hour); // another bundle's: not ours to remove
    const built = await ensureBundle(dir, 'main.ts', out);
    const left = readdirSync(dist).filter((f) => !f.endsWith('.json'));
    expect(left).toContain(path.basename(path.dirname(built!)));
    expect(left).toContain('main-cccccccccccc');
    expect(left).toContain('other-dddddddddddd');
    expect(left).not.toContain('main-aaaaaaaaaaaa');
    expect(left.filter((f) => f.startsWith('main-b'))).toEqual(['main-b0bbbbbbbbbb', 'main-b1bbbbbbbbbb', 'main-b2bbbbbbbbbb', 'main-b3bbbbbbbbbb', 'main-b4bbbbbbbbbb', 'main-b5bbbbbbbbbb']);
  });

  it('splits what is imported dynamically into chunks, loaded on first use', async () => {
    const { out } = project();
    writeFileSync(
      path.join(dir, 'main.ts'),
      "export const value = 1;\nexport const later = async () => (await import('./answer.js')).answer;\n",
    );
    const built = (await ensureBundle(dir, 'main.ts', out))!;
    expect(readFileSync(built, 'utf8')).not.toContain('21');
    const chunks = readdirSync(path.dirname(built)).filter((f) => /^chunk-.*\.mjs$/.test(f));
    expect(chunks).toHaveLength(1);
    const mod = (await import(`${pathToFileURL(built).href}?t=split`)) as { later: () => Promise<number> };
    expect(await mod.later()).toBe(21);
  });

  it('bundles pure-JS packages, requires native ones at run time, and loads lazy ones at first use', async () => {
    const { out } = project();
    const pkg = (name: string, code: string) => {
      mkdirSync(path.join(dir, 'node_modules', name), { recursive: true });
      writeFileSync(path.join(dir, 'node_modules', name, 'package.json'), JSON.stringify({ name, main: 'index.js' }));
      writeFileSync(path.join(dir, 'node_modules', name, 'index.js'), code);
    };
    // A CommonJS package as TypeScript emits it: Node's fs, a native package (named by a prefix), a lazy one.
    pkg(
      'pure-lib',
      [
        "const fs = require('fs');",
        "const native = require('native-lib');",
        "const lazy_1 = require('lazy-lib').__esModule ? require('lazy-lib') : { default: require('lazy-lib') };",
        'exports.pureMarker = "pure code inside";',
        "exports.hasFs = typeof fs.readFileSync === 'function';",
        'exports.nativeValue = native.value;',
        'exports.useLazy = () => lazy_1.default.word;',
      ].join('\n'),
    );
    pkg('native-lib', 'globalThis.nativeLoads = (globalThis.nativeLoads ?? 0) + 1; exports.value = 7;');
    pkg('lazy-lib', "globalThis.lazyLoaded = true; module.exports = { word: 'late' };");
    writeFileSync(
      path.join(dir, 'main.ts'),
      [
        "import { hasFs, nativeValue, useLazy } from 'pure-lib';",
        'export const value = { hasFs, nativeValue, useLazy };',
        // Loaded on first use, with its named exports (Node loads it: the same instance).
        "export const later = async () => (await import('native-lib')).value;",
      ].join('\n'),
    );
    const packages = { bundled: new Set(['pure-lib']), native: new Set(['native-*']), lazy: new Set(['lazy-lib']) };
    const built = (await ensureBundle(dir, 'main.ts', out, packages))!;
    const code = readdirSync(path.dirname(built))
      .filter((f) => f.endsWith('.mjs'))
      .map((f) => readFileSync(path.join(path.dirname(built), f), 'utf8'))
      .join('\n');
    expect(code).toContain('pure code inside'); // bundled
    expect(code).toContain('require("native-lib")'); // loaded from node_modules at run time
    expect(code).not.toContain('nativeLoads');
    expect(code).not.toContain('lazyLoaded');
    const g = globalThis as { nativeLoads?: number; lazyLoaded?: boolean };
    delete g.lazyLoaded;
    delete g.nativeLoads;
    const value = (await import(`${pathToFileURL(built).href}?t=packages`)) as {
      value: { hasFs: boolean; nativeValue: number; useLazy: () => string };
      later: () => Promise<number>;
    };
    expect(value.value.hasFs).toBe(true);
    expect(value.value.nativeValue).toBe(7);
    expect(await value.later()).toBe(7);
    expect(g.nativeLoads).toBe(1); // require() and import() share one instance
    expect(g.lazyLoaded).toBeUndefined(); // not loaded with the bundle...
    expect(value.value.useLazy()).toBe('late');
    expect(g.lazyLoaded).toBe(true); // ...but at its first use
    // Inputs from node_modules are stamped too: reinstalling a package rebuilds the bundle.
    expect(Object.keys((JSON.parse(readFileSync(`${out}.inputs.json`, 'utf8')) as { inputs: object }).inputs)).toContain(
      'node_modules/pure-lib/index.js',
    );
    // import() of a bundled CommonJS package would lose its named exports at the split: no bundle
    // (the caller then runs the sources), never a bundle that misses them.
    writeFileSync(path.join(dir, 'main.ts'), "export const later = async () => (await import('pure-lib')).hasFs;\n");
    expect(await ensureBundle(dir, 'main.ts', out, packages)).toBeNull();
  });

  it('builds a CommonJS script whose launcher keeps V8\'s code cache beside it, and runs without one', async () => {
    const { out } = project();
    writeFileSync(
      path.join(dir, 'main.ts'),
      [
        "import { answer } from './answer.js';",
        // import.meta.url is the bundle's own file; import() of our module loads on first use, and
        // import() of a package left to Node works from the code cache too (Node 20 loses its callback).
        "const later = async () => (await import('./later.js')).extra + (await import('outside-lib')).zero + (await import('node:path')).sep.length - 1;",
        "void later().then((extra) => console.log(JSON.stringify({ value: answer * 2 + extra, url: import.meta.url })));",
      ].join('\n'),
    );
    writeFileSync(path.join(dir, 'later.ts'), 'export const extra = 1;\n');
    mkdirSync(path.join(dir, 'node_modules', 'outside-lib'), { recursive: true });
    writeFileSync(path.join(dir, 'node_modules', 'outside-lib', 'package.json'), JSON.stringify({ name: 'outside-lib', main: 'index.js' }));
    writeFileSync(path.join(dir, 'node_modules', 'outside-lib', 'index.js'), 'exports.zero = 0;\n');
    const cjs = out.replace(/\.mjs$/, '.cjs');
    const launcher = (await ensureBundle(dir, 'main.ts', cjs))!;
    expect(launcher).toMatch(/[/\\]dist[/\\]main-[0-9a-f]{12}[/\\]main\.cjs$/);
    // Built again from the same sources (another process did it first): the build that is there.
    rmSync(`${cjs}.inputs.json`);
    expect(await ensureBundle(dir, 'main.ts', cjs)).toBe(launcher);
    const code = path.join(path.dirname(launcher), 'main.code.cjs');
    const cache = `${code}.v8cache`;
    const run = (env: NodeJS.ProcessEnv = {}, args: string[] = []) =>
      JSON.parse(execFileSync(process.execPath, [launcher, ...args], { env: { ...process.env, ...env }, encoding: 'utf8' })) as { value: number; url: string };
    expect(run()).toEqual({ value: 43, url: pathToFileURL(code).href });
    const written = statSync(cache);
    expect(written.size).toBeGreaterThan(0); // saved by the first run...
    expect(run().value).toBe(43);
    expect(statSync(cache).mtimeMs).toBe(written.mtimeMs); // ...and accepted by the next: not written again
    writeFileSync(cache, 'not a code cache'); // damaged: V8 rejects it, the script runs, the cache is written again
    expect(run().value).toBe(43);
    expect(readFileSync(cache, 'utf8')).not.toBe('not a code cache');
    rmSync(cache);
    expect(run({ DESKPILOT_NO_CODE_CACHE: '1' }).value).toBe(43); // switched off: none kept
    expect(() => statSync(cache)).toThrow();
    // A CLI command keeps its own cache beside it, found past the global options and their values...
    expect(run({}, ['--data-dir', 'run', '--json', 'test', 'tasks.yaml', '--workers', '2']).value).toBe(43);
    expect(() => statSync(cache)).toThrow();
    expect(statSync(`${code}.test.v8cache`).size).toBeGreaterThan(0);
    expect(() => statSync(`${code}.run.v8cache`)).toThrow();
    // ...and a command line without one (--version) uses the bundle's own.
    expect(run({}, ['--log-level', 'debug', '--version']).value).toBe(43);
    expect(statSync(cache).size).toBeGreaterThan(0);
    expect(() => statSync(`${code}.debug.v8cache`)).toThrow();
    // Any other import.meta would be empty in a CommonJS script: no bundle (the sources run instead).
    writeFileSync(path.join(dir, 'main.ts'), "export const here = import.meta.dirname;\n");
    expect(await ensureBundle(dir, 'main.ts', cjs)).toBeNull();
  });

  it("skips the CLI's global options with values as the CLI does, to find the command's cache", async () => {
    const { VALUED } = await import('../../../src/cli/program.js');
    const launcher = readFileSync(path.join(ROOT, 'src', 'cli', 'run-cached.cjs'), 'utf8');
    const listed = /const VALUED_OPTIONS = \[([^\]]*)\]/.exec(launcher)?.[1]?.match(/--[a-z-]+/g);
    expect(new Set(listed)).toEqual(VALUED);
  });

  it('gives null (the caller runs the sources through tsx) when the sources do not build', async () => {
    const { out } = project();
    expect(await ensureBundle(dir, 'main.ts', out)).toBeTruthy();
    rmSync(path.join(dir, 'answer.ts'));
    expect(await ensureBundle(dir, 'main.ts', out)).toBeNull();
    writeFileSync(path.join(dir, 'main.ts'), 'export const value = ;\n');
    expect(await ensureBundle(dir, 'main.ts', out)).toBeNull();
  });

  it('the bundled command and the tsx-run sources answer alike; DESKPILOT_NO_BUNDLE switches bundles off', async () => {
    const version = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    const run = (env: NodeJS.ProcessEnv) =>
      execFileSync(process.execPath, [path.join(ROOT, 'bin', 'deskpilot.js'), '--version'], { env: { ...process.env, ...env }, encoding: 'utf8' }).trim();
    expect(run({})).toBe(version);
    expect(run({ DESKPILOT_NO_BUNDLE: '1' })).toBe(version);
    expect(await freshBundle('cli')).toMatch(/[/\\]dist[/\\]node[/\\]cli-[0-9a-f]{12}[/\\]cli\.cjs$/);
    // The test worker's bundle builds too (a build error would silently run the sources instead).
    expect(await freshBundle('test-worker')).toMatch(/[/\\]dist[/\\]node[/\\]test-worker-[0-9a-f]{12}[/\\]test-worker\.cjs$/);
    process.env['DESKPILOT_NO_BUNDLE'] = '1';
    try {
      expect(await freshBundle('test-worker')).toBeNull();
    } finally {
      delete process.env['DESKPILOT_NO_BUNDLE'];
    }
  });
});
