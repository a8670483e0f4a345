import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applyRepairs, listMacros, loadMacro, parseMacro, pendingRepairs, saveMacro, setPendingRepairs, unifiedDiff, type Repair } from '../../../src/macros/index.js';
import type { Store } from '../../../src/shared/ports.js';
import { openStore } from '../../../src/storage/index.js';

const dirs: string[] = [];
const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup() {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'deskpilot-macros-'));
  dirs.push(dataDir);
  const store = openStore({ dataDir });
  stores.push(store);
  return { store, dir: path.join(dataDir, 'macros') };
}

const GOOD = 'name: Save note\nsteps:\n  - click "File"   # the menu\n  - press ctrl+s\n';

describe('saving macros', () => {
  it('keeps each good save as a new version, in the file and the store', () => {
    const { store, dir } = setup();
    const first = saveMacro(store, dir, 'save-note', GOOD);
    const second = saveMacro(store, dir, 'save-note', GOOD.replace('ctrl+s', 'ctrl+shift+s'));
    expect([first.record.version, second.record.version]).toEqual([1, 2]);
    expect(readFileSync(second.file, 'utf8')).toContain('ctrl+shift+s');
    expect(listMacros(store, dir)).toEqual([expect.objectContaining({ name: 'save-note', version: 2 })]);
  });

  it('a bad edit throws with file:line:col and never replaces the last good version', () => {
    const { store, dir } = setup();
    const { file } = saveMacro(store, dir, 'save-note', GOOD);
    const bad = GOOD.replace('press ctrl+s', 'pres ctrl+s');
    expect(() => saveMacro(store, dir, 'save-note', bad)).toThrow(`${file}:4:5: unknown command "pres"`);
    expect(readFileSync(file, 'utf8')).toBe(GOOD);
    expect(store.macros.get('save-note')).toMatchObject({ version: 1, source: GOOD });
    expect(existsSync(`${file}.${process.pid}.tmp`)).toBe(false);
  });

  it('loads by name or by path, and falls back to the stored version when the file is gone', () => {
    const { store, dir } = setup();
    const { file } = saveMacro(store, dir, 'save-note', GOOD);
    expect(loadMacro(store, dir, 'save-note').macro.name).toBe('Save note');
    expect(loadMacro(store, dir, file).name).toBe('save-note');
    rmSync(file);
    expect(loadMacro(store, dir, 'save-note').text).toBe(GOOD);
    expect(() => loadMacro(store, dir, 'nope')).toThrow(/no macro "nope".*known: save-note/);
    expect(() => saveMacro(store, dir, '../escape', GOOD)).toThrow(/not a usable macro name/);
  });
});

describe('healing', () => {
  const text = [
    'name: Expense',
    'steps:',
    '  # fill the form',
    '  - type "12" into "Amount"',
    '  - do: click "Submit"',
    '    irreversible: true',
    '    anchors: { text: Submit, landmarks: [ { text: Amount, dx: 0, dy: 60 } ] }',
    '  - wait for "Saved" 10s',
    '',
  ].join('\n');

  it('writes repairs as anchors (and the new text) while keeping comments, and shows a reviewable diff', () => {
    const repairs: Repair[] = [
      { key: 'steps/0', path: ['steps', 0], reason: 'landmark moved', anchors: { landmarks: [{ text: 'Expense', dx: 10, dy: 120 }] } },
      {
        key: 'steps/1', path: ['steps', 1], reason: 'found by landmarks, not by text as recorded',
        anchors: { text: 'Send', landmarks: [{ text: 'Amount', dx: 0, dy: 90 }] }, text: { from: 'Submit', to: 'Send' },
      },
    ];
    const healed = applyRepairs(text, repairs, 'expense.yaml');
    const m = parseMacro(healed, 'expense.yaml');
    expect(m.program[0]).toMatchObject({ step: { kind: 'type', text: '12' }, anchors: { landmarks: [{ text: 'Expense', dx: 10, dy: 120 }] } });
    expect(m.program[1]).toMatchObject({ irreversible: true, step: { target: { text: 'Send' } }, anchors: { text: 'Send', landmarks: [{ dy: 90 }] } });
    expect(healed).toContain('# fill the form');
    const diff = unifiedDiff(text, healed, 'expense.yaml');
    expect(diff).toMatch(/^--- a\/expense\.yaml\n\+\+\+ b\/expense\.yaml\n@@ -\d+,\d+ \+\d+,\d+ @@/);
    expect(diff).toContain('-  - do: click "Submit"');
    expect(diff).toContain('+  - do: click "Send"');
    expect(diff).toContain('-  - type "12" into "Amount"');
    expect(diff).toContain('   - wait for "Saved" 10s');
    expect(unifiedDiff(text, text, 'x')).toBe('');
  });

  it('a diff applies with patch to give exactly the healed file', async () => {
    const { execFileSync } = await import('node:child_process');
    const work = mkdtempSync(path.join(tmpdir(), 'deskpilot-heal-'));
    dirs.push(work);
    const healed = applyRepairs(text, [{ key: 'steps/1', path: ['steps', 1], reason: 'r', anchors: { text: 'Send' }, text: { from: 'Submit', to: 'Send' } }], 'e.yaml');
    writeFileSync(path.join(work, 'e.yaml'), text);
    writeFileSync(path.join(work, 'fix.diff'), unifiedDiff(text, healed, 'e.yaml'));
    execFileSync('patch', ['-p1', '-i', 'fix.diff'], { cwd: work });
    expect(readFileSync(path.join(work, 'e.yaml'), 'utf8')).toBe(healed);
  });

  it('keeps pending repairs per macro file until they are cleared', () => {
    const { store, dir } = setup();
    const file = path.join(dir, 'a.yaml');
    expect(pendingRepairs(store, file)).toEqual([]);
    setPendingRepairs(store, file, [{ key: 'steps/0', path: ['steps', 0], reason: 'r', anchors: { text: 'X' } }]);
    expect(pendingRepairs(store, file)).toHaveLength(1);
    expect(pendingRepairs(store, path.join(dir, 'b.yaml'))).toEqual([]);
  });
});
