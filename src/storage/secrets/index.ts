import { UserInputError } from '../../shared/errors.js';
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

/**
 * The OS keychain where there is one; otherwise the encrypted file in the data dir (and with
 * a passphrase, the file always: the person chose it).
 */
export async function openSecretStore(options: { dataDir: string; passphrase?: string; prefer?: 'keychain' | 'file' }): Promise<NamedSecretStore> {
  if (options.prefer !== 'file' && !options.passphrase) {
    const keyring = await KeyringSecretStore.open(options.dataDir);
    if (keyring) return keyring;
  }
  return new EncryptedFileSecretStore(options.dataDir, options.passphrase);
}
