import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { SecretStore } from '../../shared/ports.js';

const SERVICE = 'deskpilot';

type KeyringEntry = { setPassword(v: string): void; getPassword(): string | null | undefined; deletePassword(): boolean | void };
type EntryCtor = new (service: string, account: string) => KeyringEntry;

/**
 * Secrets in the OS keychain (macOS Keychain, Windows Credential Manager, Secret Service on
 * Linux) through @napi-rs/keyring. The keychain cannot list one app's entries, so the NAMES
 * (never values) are kept in an index file in the data dir.
 */
export class KeyringSecretStore implements SecretStore {
  readonly kind = 'os-keychain';
  private readonly index: string;

  private constructor(
    private readonly Entry: EntryCtor,
    dataDir: string,
  ) {
    this.index = path.join(dataDir, 'secrets.index.json');
  }

  /** The keychain store when the keychain works here (a probe entry is written and removed). */
  static async open(dataDir: string): Promise<KeyringSecretStore | undefined> {
    try {
      const { Entry } = (await import('@napi-rs/keyring')) as unknown as { Entry: EntryCtor };
      const probe = new Entry(SERVICE, '__deskpilot_probe__');
      probe.setPassword('probe');
      const ok = probe.getPassword() === 'probe';
      probe.deletePassword();
      return ok ? new KeyringSecretStore(Entry, dataDir) : undefined;
    } catch {
      return undefined;
    }
  }

  get(name: string): Promise<string | undefined> {
    return Promise.resolve(new this.Entry(SERVICE, name).getPassword() ?? undefined);
  }

  set(name: string, value: string): Promise<void> {
    new this.Entry(SERVICE, name).setPassword(value);
    this.writeNames([...new Set([...this.names(), name])]);
    return Promise.resolve();
  }

  list(): Promise<string[]> {
    return Promise.resolve(this.names().sort());
  }

  remove(name: string): Promise<boolean> {
    const had = this.names().includes(name);
    try {
      new this.Entry(SERVICE, name).deletePassword();
    } catch {
      /* already gone */
    }
    this.writeNames(this.names().filter((n) => n !== name));
    return Promise.resolve(had);
  }

  private names(): string[] {
    return existsSync(this.index) ? (JSON.parse(readFileSync(this.index, 'utf8')) as string[]) : [];
  }

  private writeNames(names: string[]): void {
    const tmp = `${this.index}.tmp`;
    writeFileSync(tmp, JSON.stringify(names));
    renameSync(tmp, this.index);
  }
}
