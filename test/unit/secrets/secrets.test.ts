import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';
import { EncryptedFileSecretStore, KeyringSecretStore, checkSecretName, openSecretStore } from '../../../src/storage/secrets/index.js';

const work = mkdtempSync(path.join(tmpdir(), 'deskpilot-secret-store-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const dir = (n: string) => path.join(work, n);

describe('encrypted-file secret store', () => {
  it('keeps values encrypted at rest, with a private key file', async () => {
    const s = new EncryptedFileSecretStore(dir('a'));
    await s.set('GITHUB_TOKEN', 'ghp_supersecretvalue123');
    await s.set('PIN', '4711');
    expect(await s.get('GITHUB_TOKEN')).toBe('ghp_supersecretvalue123');
    expect(await s.list()).toEqual(['GITHUB_TOKEN', 'PIN']);
    expect(readFileSync(path.join(dir('a'), 'secrets.enc.json'), 'utf8')).not.toContain('supersecret');
    expect(statSync(path.join(dir('a'), 'secrets.key')).mode & 0o777).toBe(0o600);
    expect(await new EncryptedFileSecretStore(dir('a')).get('PIN')).toBe('4711');
    expect(await s.remove('PIN')).toBe(true);
    expect(await s.remove('PIN')).toBe(false);
    expect(await s.get('PIN')).toBeUndefined();
  });

  it('with a passphrase: the right one opens it, a wrong one says so', async () => {
    await new EncryptedFileSecretStore(dir('b'), 'correct horse').set('X', 'value-x');
    expect(await new EncryptedFileSecretStore(dir('b'), 'correct horse').get('X')).toBe('value-x');
    await expect(new EncryptedFileSecretStore(dir('b'), 'wrong').get('X')).rejects.toThrow(/wrong passphrase/);
    await expect(new EncryptedFileSecretStore(dir('b')).get('X')).rejects.toThrow(/DESKPILOT_SECRETS_PASSPHRASE/);
  });

  it('refuses a damaged file without touching it, and bad names', async () => {
    const d = dir('c');
    await new EncryptedFileSecretStore(d).set('A', 'v');
    writeFileSync(path.join(d, 'secrets.enc.json'), '{ not json');
    await expect(new EncryptedFileSecretStore(d).set('B', 'w')).rejects.toMatchObject({ code: 'STORAGE_CORRUPT' });
    expect(readFileSync(path.join(d, 'secrets.enc.json'), 'utf8')).toBe('{ not json');
    expect(() => checkSecretName('has space')).toThrow(/not a secret name/);
  });

  it('deskpilot secrets set/list/rm: the value comes from a pipe and is never printed', async () => {
    // This data dir keeps its secrets in the encrypted file (never the person's real keychain).
    mkdirSync(dir('cli'), { recursive: true });
    writeFileSync(path.join(dir('cli'), 'secrets.backend'), 'encrypted-file\n');
    const run = (args: string[], input?: string) =>
      new Promise<{ code: number; out: string }>((resolve) => {
        const child = execFile(process.execPath, ['bin/deskpilot.js', '--data-dir', dir('cli'), 'secrets', ...args], { encoding: 'utf8' }, (err, stdout, stderr) =>
          resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
        );
        child.stdin?.end(input ?? '');
      });
    expect(await run(['set', 'API_KEY'], 'sk-live-abcdef\n')).toMatchObject({ code: 0, out: expect.stringMatching(/stored API_KEY/) as unknown });
    const listed = await run(['list']);
    expect(listed.out).toContain('API_KEY');
    expect(listed.out).not.toContain('sk-live');
    expect(await new EncryptedFileSecretStore(dir('cli')).get('API_KEY')).toBe('sk-live-abcdef');
    expect((await run(['rm', 'API_KEY'])).code).toBe(0);
    expect((await run(['rm', 'API_KEY'])).out).toMatch(/no secret named API_KEY/);
  });
});

describe('choosing the secret store', () => {
  it('is decided once per data dir and remembered, so every later open lands on the same store', async () => {
    const d = dir('choice');
    const first = await openSecretStore({ dataDir: d });
    expect(readFileSync(path.join(d, 'secrets.backend'), 'utf8').trim()).toBe(first.kind);
    // Keychain entries are not per data dir: a name no person has.
    const name = `DESKPILOT_TEST_${process.pid}_${Date.now()}`;
    await first.set(name, 'v1');
    try {
      for (let i = 0; i < 3; i++) {
        const again = await openSecretStore({ dataDir: d });
        expect(again.kind).toBe(first.kind);
        expect(await again.get(name)).toBe('v1');
      }
    } finally {
      await first.remove(name);
    }
  });

  it('keeps using the encrypted file of a data dir that has one, even where a keychain works', async () => {
    const d = dir('legacy');
    await new EncryptedFileSecretStore(d).set('OLD', 'kept');
    const s = await openSecretStore({ dataDir: d });
    expect(s.kind).toBe(new EncryptedFileSecretStore(d).kind);
    expect(await s.get('OLD')).toBe('kept');
  });

  // The kernel keyring is what @napi-rs/keyring falls back to on Linux without a session bus.
  const noBus = process.platform === 'linux' && !KeyringSecretStore.possible();
  const BUS = noBus ? '' : ' (skipped: not Linux without a session D-Bus; here the keychain is a real one)';

  it.skipIf(!noBus)(`takes the encrypted file on Linux without a Secret Service, not the kernel keyring that a reboot empties${BUS}`, async () => {
    const d = dir('headless');
    const s = await openSecretStore({ dataDir: d });
    expect(s.kind).toBe('encrypted-file');
    expect(readFileSync(path.join(d, 'secrets.backend'), 'utf8').trim()).toBe('encrypted-file');
    // A data dir that an earlier version marked for the kernel keyring but that holds no secret.
    const marked = dir('marked');
    mkdirSync(marked, { recursive: true });
    writeFileSync(path.join(marked, 'secrets.backend'), 'os-keychain\n');
    expect((await openSecretStore({ dataDir: marked })).kind).toBe('encrypted-file');
  });

  it.skipIf(!noBus)(`moves secrets an earlier version left in the kernel keyring into the encrypted file${BUS}`, async () => {
    const d = dir('kernel');
    mkdirSync(d, { recursive: true });
    const name = `DESKPILOT_TEST_${process.pid}_${Date.now()}`;
    const { Entry } = (await import('@napi-rs/keyring')) as unknown as {
      Entry: new (s: string, a: string) => { setPassword(v: string): void; getPassword(): string | null };
    };
    // The first keyutils call of a process may be refused; the second one works.
    const put = () => new Entry('deskpilot', name).setPassword('kept-value');
    try {
      put();
    } catch {
      put();
    }
    writeFileSync(path.join(d, 'secrets.index.json'), JSON.stringify([name, 'GONE_AFTER_REBOOT']));
    writeFileSync(path.join(d, 'secrets.backend'), 'os-keychain\n');

    const s = await openSecretStore({ dataDir: d });
    expect(s.kind).toBe('encrypted-file');
    expect(await s.get(name)).toBe('kept-value');
    expect(await s.list()).toEqual([name]);
    expect(readFileSync(path.join(d, 'secrets.backend'), 'utf8').trim()).toBe('encrypted-file');
    // Gone from the kernel keyring and from the index.
    expect(new Entry('deskpilot', name).getPassword()).toBeNull();
    expect(existsSync(path.join(d, 'secrets.index.json'))).toBe(false);
    // Every later open lands on the file.
    expect(await (await openSecretStore({ dataDir: d })).get(name)).toBe('kept-value');
  });
});
