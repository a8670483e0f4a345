import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { StorageError } from '../../shared/errors.js';
import type { SecretStore } from '../../shared/ports.js';

interface Sealed {
  iv: string;
  tag: string;
  data: string;
}

interface SecretsFile {
  version: 1;
  /** Set when the key comes from a passphrase (scrypt); absent when it is a key file. */
  salt?: string;
  entries: Record<string, Sealed>;
}

/**
 * Secrets in one AES-256-GCM encrypted file in the data dir, for machines without an OS
 * keychain (headless Linux, CI). The key is a random 32-byte key file beside it (mode 0600),
 * or derived from a passphrase (DESKPILOT_SECRETS_PASSPHRASE) with scrypt. A key file protects
 * against the database, logs or a backup leaking values, not against someone who can read the
 * data dir as this user: that is what the OS keychain or the passphrase is for.
 */
export class EncryptedFileSecretStore implements SecretStore {
  readonly kind = 'encrypted-file';
  private readonly file: string;
  private readonly keyFile: string;

  constructor(
    private readonly dataDir: string,
    private readonly passphrase?: string,
  ) {
    this.file = path.join(dataDir, 'secrets.enc.json');
    this.keyFile = path.join(dataDir, 'secrets.key');
  }

  // async: every failure (a damaged file, a wrong passphrase) arrives as a rejected promise.
  async get(name: string): Promise<string | undefined> {
    await Promise.resolve();
    const f = this.read();
    const sealed = f.entries[name];
    return sealed ? this.open(sealed, f, name) : undefined;
  }

  async set(name: string, value: string): Promise<void> {
    await Promise.resolve();
    const f = this.read();
    const key = this.key(f);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(name));
    const data = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
    f.entries[name] = { iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
    this.write(f);
  }

  async list(): Promise<string[]> {
    await Promise.resolve();
    return Object.keys(this.read().entries).sort();
  }

  async remove(name: string): Promise<boolean> {
    await Promise.resolve();
    const f = this.read();
    if (!(name in f.entries)) return false;
    delete f.entries[name];
    this.write(f);
    return true;
  }

  private read(): SecretsFile {
    if (!existsSync(this.file)) return { version: 1, ...(this.passphrase ? { salt: randomBytes(16).toString('base64') } : {}), entries: {} };
    try {
      return JSON.parse(readFileSync(this.file, 'utf8')) as SecretsFile;
    } catch (err) {
      throw new StorageError(`${this.file}: the secrets file is damaged and was left as it is`, 'STORAGE_CORRUPT', { cause: err });
    }
  }

  private write(f: SecretsFile): void {
    // Write beside and rename: a crash never leaves half a secrets file.
    mkdirSync(this.dataDir, { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(f, null, 2), { mode: 0o600 });
    renameSync(tmp, this.file);
  }

  private key(f: SecretsFile): Buffer {
    if (this.passphrase) {
      if (!f.salt) throw new StorageError(`${this.file}: was written with a key file, not a passphrase; unset DESKPILOT_SECRETS_PASSPHRASE`);
      return scryptSync(this.passphrase, Buffer.from(f.salt, 'base64'), 32);
    }
    if (f.salt) throw new StorageError(`${this.file}: is protected by a passphrase; set DESKPILOT_SECRETS_PASSPHRASE`);
    mkdirSync(this.dataDir, { recursive: true });
    if (!existsSync(this.keyFile)) writeFileSync(this.keyFile, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
    return Buffer.from(readFileSync(this.keyFile, 'utf8').trim(), 'base64');
  }

  private open(sealed: Sealed, f: SecretsFile, name: string): string {
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key(f), Buffer.from(sealed.iv, 'base64'));
      decipher.setAAD(Buffer.from(name));
      decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]).toString('utf8');
    } catch (err) {
      if (err instanceof StorageError) throw err;
      throw new StorageError(`the secret "${name}" cannot be decrypted: wrong passphrase or key file (${this.keyFile})`, 'STORAGE', { cause: err });
    }
  }
}
