import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
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
    expect(await ensureBundle(dir, 'main.ts', out)).toBe(out);
    expect(await load(out)).toBe(42);
    const built = statSync(out).mtimeMs;
    expect((JSON.parse(readFileSync(`${out}.inputs.json`, 'utf8')) as { inputs: object }).inputs).toHaveProperty('answer.ts');

    expect(await ensureBundle(dir, 'main.ts', out)).toBe(out);
    expect(statSync(out).mtimeMs).toBe(built); // not rebuilt

    writeFileSync(path.join(dir, 'answer.ts'), 'export const answer = 50;\n');
    const later = new Date(Date.now() + 5_000);
    utimesSync(path.join(dir, 'answer.ts'), later, later);
    expect(await ensureBundle(dir, 'main.ts', out)).toBe(out);
    expect(await load(out)).toBe(100);
  });

  it('gives null (the caller runs the sources through tsx) when the sources do not build', async () => {
    const { out } = project();
    expect(await ensureBundle(dir, 'main.ts', out)).toBe(out);
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
    expect(await freshBundle('cli')).toBe(path.join(ROOT, 'dist', 'node', 'cli.mjs'));
    process.env['DESKPILOT_NO_BUNDLE'] = '1';
    try {
      expect(await freshBundle('test-worker')).toBeNull();
    } finally {
      delete process.env['DESKPILOT_NO_BUNDLE'];
    }
  });
});
