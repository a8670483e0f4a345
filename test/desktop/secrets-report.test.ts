import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { EncryptedFileSecretStore } from '../../src/storage/secrets/index.js';
import { desktopSupport } from './bed/index.js';

const exec = promisify(execFile);
const SECRET = 'Zebra-Quartz-9931-Lantern';
const support = desktopSupport();

/**
 * A tester's task types a secret: `deskpilot test` (its own private display per worker) writes
 * JSON, JUnit and HTML reports, and none of them — nor the database — holds the value.
 */
describe.skipIf(!support.ok)(`secrets in task reports${support.ok ? '' : ` (skipped: ${support.reason})`}`, () => {
  const work = mkdtempSync(path.join(tmpdir(), 'deskpilot-secret-report-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('types the secret in a task and leaves it out of every report', async () => {
    const dataDir = path.join(work, 'data');
    await new EncryptedFileSecretStore(dataDir).set('VAULT_CODE', SECRET);
    const tasks = path.join(work, 'vault.yaml');
    writeFileSync(
      tasks,
      [
        'tasks:',
        '  - id: vault-code',
        '    setup:',
        `      - launch: xterm -T vault -fa Monospace -fs 14 -geometry 70x12+20+20 -e sh -c 'echo "Enter the vault code"; cat > code.txt'`,
        '      - wait_for: { window: vault }',
        '      - wait_for: { text: Enter the vault code }',
        '    steps:',
        '      - click "Enter the vault code"',
        '      - type "{{secret:VAULT_CODE}}"',
        '      - press enter',
        '      - press ctrl+d',
        '    evaluator:',
        '      file: code.txt',
        '      regex: "^[A-Za-z]+-[A-Za-z]+-[0-9]{4}-[A-Za-z]+\\\\n?$"',
        '',
      ].join('\n'),
    );
    const out = path.join(work, 'report');
    const r = await exec(
      process.execPath,
      ['bin/deskpilot.js', '--data-dir', dataDir, 'test', tasks, '--workers', '1', '--confirm', 'allow', '--reporter', 'json,junit,html', '--output', out],
      { encoding: 'utf8', timeout: 120_000 },
    ).catch((e: { code: number; stdout: string; stderr: string }) => e);
    expect(r.stdout + r.stderr).not.toContain(SECRET);
    expect('code' in r ? r.code : 0, r.stdout + r.stderr).toBe(0); // the secret was typed: the evaluator saw it in the file
    const files = [...walk(out), ...walk(dataDir).filter((f) => !/secrets\.(enc\.json|key)$/.test(f))];
    expect(files.some((f) => f.endsWith('.html'))).toBe(true);
    expect(files.some((f) => f.endsWith('.xml'))).toBe(true);
    for (const f of files) expect(readFileSync(f).includes(SECRET), `found in ${f}`).toBe(false);
  });
});

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}
