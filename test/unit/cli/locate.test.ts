import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { targetOf } from '../../../src/cli/commands/locate.js';

const run = promisify(execFile);
const work = mkdtempSync(path.join(tmpdir(), 'deskpilot-locate-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function cli(...args: string[]) {
  try {
    const r = await run(process.execPath, ['bin/deskpilot.js', '--data-dir', work, ...args], { encoding: 'utf8' });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('deskpilot locate', () => {
  it('reads targets in the command language or as plain words', () => {
    expect(targetOf('the second "Delete"')).toEqual({ text: 'Delete', ordinal: 2 });
    expect(targetOf('the gear icon')).toMatchObject({ description: 'gear icon', role: 'icon', text: 'gear' });
    expect(targetOf('Save As')).toMatchObject({ text: 'Save As' });
  });

  it('finds text and an icon in a screenshot, and writes the annotated image', async () => {
    const out = path.join(work, 'gear.png');
    const r = await cli('locate', 'the gear icon', '--image', 'test/fixtures/icons/chromium-elements-1280x800.png', '--out', out, '--json');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { location: { point: { x: number; y: number }; source: string } };
    expect(doc.location.source).toBe('icon');
    // The gear button of the fixture page sits at about (330, 173) on that screenshot.
    expect(Math.abs(doc.location.point.x - 330)).toBeLessThan(8);
    expect(Math.abs(doc.location.point.y - 173)).toBeLessThan(8);
    expect((await sharp(out).metadata()).width).toBe(1280);

    const t = await cli('locate', '"Delete account"', '--image', 'test/fixtures/icons/chromium-elements-1280x800.png', '--out', path.join(work, 'd.png'));
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/^"Delete account": \(3\d\d, 3\d\d\) by text/);
  });

  it('says when a target is ambiguous or absent, and names a bad --image', async () => {
    const amb = await cli('locate', 'the close button', '--image', 'test/fixtures/icons/chromium-elements-1280x800.png', '--out', path.join(work, 'x.png'));
    expect(amb.code).toBe(1);
    expect(amb.stderr).toMatch(/2 equally good matches/);
    const missing = await cli('locate', 'Save', '--image', path.join(work, 'nope.png'));
    expect(missing.stderr).toMatch(/--image .*nope\.png: no such file/);
    expect(existsSync(path.join(work, 'x.png'))).toBe(false);
  });
});
