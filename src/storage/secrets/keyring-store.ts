import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { SecretStore } from '../../shared/ports.js';

const SERVICE = 'deskpilot';
const PROBE = '__deskpilot_probe__';
const INDEX = 'secrets.index.json';

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
    this.index = path.join(dataDir, INDEX);
  }

  /**
   * Whether this platform can have a keychain at all. On Linux that is the Secret Service on the
   * session D-Bus: without a session bus @napi-rs/keyring silently falls back to the kernel
   * keyring (keyutils), which is in memory only and loses every secret at reboot.
   */
  static possible(): boolean {
    if (process.platform !== 'linux') return true;
    if (process.env['DBUS_SESSION_BUS_ADDRESS']) return true;
    const runtime = process.env['XDG_RUNTIME_DIR'] ?? `/run/user/${process.getuid?.() ?? 0}`;
    return existsSync(path.join(runtime, 'bus'));
  }

  /**
   * The keychain store when a persistent keychain works here (a probe entry is written and
   * removed). A probe that landed in the Linux kernel keyring (a bus without a Secret Service)
   * does not count: those entries are gone after a reboot.
   */
  static async open(dataDir: string): Promise<KeyringSecretStore | undefined> {
    if (!KeyringSecretStore.possible()) return undefined;
    try {
      const Entry = await entryClass();
      const probe = new Entry(SERVICE, PROBE);
      probe.setPassword('probe');
      const ok = probe.getPassword() === 'probe';
      const volatile = inKernelKeyring(PROBE);
      probe.deletePassword();
      return ok && !volatile ? new KeyringSecretStore(Entry, dataDir) : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Linux only: the secrets an earlier DeskPilot put in the kernel keyring when it took that for
   * the OS keychain (its index in the data dir names `indexed` of them), to be moved to the
   * encrypted file; undefined when they cannot be read. Values that did not outlive a reboot are
   * missing from `values`.
   */
  static async kernelLeftovers(dataDir: string): Promise<{ indexed: number; values: Map<string, string> } | undefined> {
    if (process.platform !== 'linux') return undefined;
    const values = new Map<string, string>();
    let names: string[];
    try {
      names = indexNames(path.join(dataDir, INDEX));
      const Entry = await entryClass();
      const keys = kernelKeys();
      for (const name of names) {
        if (!inKernelKeyring(name, keys)) continue;
        // The first keyutils call of a process can fail with AccessDenied; a second one works.
        const read = () => new Entry(SERVICE, name).getPassword();
        let value: string | null | undefined;
        try {
          value = read();
        } catch {
          value = read();
        }
        if (value != null) values.set(name, value);
      }
    } catch {
      return undefined;
    }
    return { indexed: names.length, values };
  }

  /** After kernelLeftovers were saved elsewhere: removes them from the kernel keyring and the index. */
  static async forgetKernelLeftovers(dataDir: string, names: Iterable<string>): Promise<void> {
    const Entry = await entryClass();
    for (const name of names) {
      try {
        new Entry(SERVICE, name).deletePassword();
      } catch {
        /* already gone */
      }
    }
    rmSync(path.join(dataDir, INDEX), { force: true });
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
    return indexNames(this.index);
  }

  private writeNames(names: string[]): void {
    const tmp = `${this.index}.tmp`;
    writeFileSync(tmp, JSON.stringify(names));
    renameSync(tmp, this.index);
  }
}

/** The secret names of an index file (none without one). */
function indexNames(file: string): string[] {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as string[]) : [];
}

async function entryClass(): Promise<EntryCtor> {
  return ((await import('@napi-rs/keyring')) as unknown as { Entry: EntryCtor }).Entry;
}

/** The kernel keyring's keys (/proc/keys, Linux); empty elsewhere or when unreadable. */
function kernelKeys(): string {
  if (process.platform !== 'linux') return '';
  try {
    return readFileSync('/proc/keys', 'utf8');
  } catch {
    return '';
  }
}

/** Whether the kernel keyring holds DeskPilot's entry `name`, as keyring-rs names it. */
function inKernelKeyring(name: string, keys = kernelKeys()): boolean {
  return keys.includes(` keyring:${name}@${SERVICE}:`);
}
