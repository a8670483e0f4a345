import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AppError, UserInputError } from '../../shared/errors.js';
import type { SecretStore } from '../../shared/ports.js';
import { EncryptedFileSecretStore } from './file-store.js';
import { KeyringSecretStore } from './keyring-store.js';

export { EncryptedFileSecretStore } from './file-store.js';
export { KeyringSecretStore } from './keyring-store.js';

export type NamedSecretStore = SecretStore & { readonly kind: string };

export const SECRET_NAME = /^[A-Za-z][\w.-]{0,63}$/;

export function checkSecretName(name: string): string {
  if (!SECRET_NAME.test(name)) {
    throw new UserInputError(`"${name}" is not a secret name: use letters, digits, _ . - (starting with a letter), as in {{secret:GITHUB_TOKEN}}`);
  }
  return name;
}

/** Which backend a data dir's secrets live in, written the first time a store is opened there. */
const BACKEND_FILE = 'secrets.backend';
type Backend = 'os-keychain' | 'encrypted-file';

/**
 * The OS keychain where there is one; otherwise the encrypted file in the data dir (and with
 * a passphrase, the file always: the person chose it). The choice is made ONCE per data dir
 * and remembered in `secrets.backend`: a keychain whose first D-Bus call fails must not send
 * one process to the file and the next to the keychain, splitting the secrets between the two.
 */
export async function openSecretStore(options: { dataDir: string; passphrase?: string; prefer?: 'keychain' | 'file' }): Promise<NamedSecretStore> {
  const file = () => new EncryptedFileSecretStore(options.dataDir, options.passphrase);
  if (options.prefer === 'file' || options.passphrase) return file();
  const recorded = readBackend(options.dataDir);
  if (recorded === 'encrypted-file') return file();
  const keyring = await openKeyring(options.dataDir);
  if (keyring) {
    if (!recorded) writeBackend(options.dataDir, 'os-keychain');
    return keyring;
  }
  if (recorded === 'os-keychain') {
    // Linux without a Secret Service: earlier versions took the kernel keyring for the keychain.
    // Its values live until the next reboot; they move to the encrypted file now (a data dir
    // that never stored a secret just switches).
    const leftovers = await KeyringSecretStore.kernelLeftovers(options.dataDir);
    if (leftovers && (leftovers.values.size > 0 || leftovers.indexed === 0)) {
      const store = file();
      for (const [name, value] of leftovers.values) await store.set(name, value);
      writeBackend(options.dataDir, 'encrypted-file');
      await KeyringSecretStore.forgetKernelLeftovers(options.dataDir, leftovers.values.keys());
      return store;
    }
    throw new AppError(
      'SECRETS_UNAVAILABLE',
      `the secrets of ${options.dataDir} are kept in the OS keychain, which cannot be reached now (no Secret Service on D-Bus?). Unlock or start the keychain, or delete ${path.join(options.dataDir, BACKEND_FILE)} and set the secrets again with a passphrase (DESKPILOT_SECRETS_PASSPHRASE).`,
    );
  }
  writeBackend(options.dataDir, 'encrypted-file');
  return file();
}

/** One retry: a keychain that is D-Bus-activated can miss the very first call. */
async function openKeyring(dataDir: string): Promise<KeyringSecretStore | undefined> {
  if (!KeyringSecretStore.possible()) return undefined;
  const first = await KeyringSecretStore.open(dataDir);
  if (first) return first;
  await new Promise((r) => setTimeout(r, 250));
  return KeyringSecretStore.open(dataDir);
}

function readBackend(dataDir: string): Backend | undefined {
  const f = path.join(dataDir, BACKEND_FILE);
  if (existsSync(f)) {
    const v = readFileSync(f, 'utf8').trim();
    if (v === 'os-keychain' || v === 'encrypted-file') return v;
  }
  // Data dirs from before the marker: whichever store already holds something.
  if (existsSync(path.join(dataDir, 'secrets.enc.json'))) return 'encrypted-file';
  if (existsSync(path.join(dataDir, 'secrets.index.json'))) return 'os-keychain';
  return undefined;
}

function writeBackend(dataDir: string, backend: Backend): void {
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(path.join(dataDir, BACKEND_FILE), `${backend}\n`);
}
