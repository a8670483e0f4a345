import { mkdirSync } from 'node:fs';
import type { Command } from 'commander';
import { checkSecretName, openSecretStore, type NamedSecretStore } from '../../storage/secrets/index.js';
import { UserInputError } from '../../shared/errors.js';
import type { AppContext } from '../../app/context.js';
import { withApp } from '../compose.js';
import type { CliIo } from '../output.js';

/** The secret store of this data dir: the OS keychain, or the encrypted file. */
export async function secretStoreFor(app: AppContext, env: Record<string, string | undefined>): Promise<NamedSecretStore> {
  mkdirSync(app.dataDir, { recursive: true });
  const passphrase = env['DESKPILOT_SECRETS_PASSPHRASE'];
  return openSecretStore({ dataDir: app.dataDir, ...(passphrase ? { passphrase } : {}) });
}

/** The value comes from a pipe or a hidden prompt, never from the command line (shell history, ps). */
async function readValue(name: string, fromEnv: string | undefined, env: Record<string, string | undefined>): Promise<string> {
  if (fromEnv) {
    const v = env[fromEnv];
    if (v === undefined) throw new UserInputError(`--from-env ${fromEnv}: that environment variable is not set`);
    return v;
  }
  if (process.stdin.isTTY) {
    process.stderr.write(`value for ${name} (not shown): `);
    process.stdin.setRawMode(true);
    let value = '';
    for await (const chunk of process.stdin) {
      const s = String(chunk);
      if (s === '\r' || s === '\n') break;
      if (s === '\u0003') throw new UserInputError('cancelled');
      value = s === '\u007f' ? value.slice(0, -1) : value + s;
    }
    process.stdin.setRawMode(false);
    process.stderr.write('\n');
    return value;
  }
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  return text.replace(/\r?\n$/, '');
}

export function registerSecrets(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const secrets = program.command('secrets').description('values typed for {{secret:NAME}} placeholders; models and logs only ever see the name');
  secrets
    .command('set')
    .argument('<name>', 'e.g. GITHUB_TOKEN, used as {{secret:GITHUB_TOKEN}}')
    .option('--from-env <var>', 'take the value from this environment variable (CI)')
    .description('store a secret (value from a pipe, a hidden prompt, or --from-env)')
    .action(async (name: string, flags: { fromEnv?: string }, cmd: Command) => {
      setExit(
        await withApp(cmd, io, async (app, out) => {
          checkSecretName(name);
          const value = await readValue(name, flags.fromEnv, io.env);
          if (!value) throw new UserInputError(`the value for ${name} is empty`);
          const store = await secretStoreFor(app, io.env);
          await store.set(name, value);
          out.line(`stored ${name} (${store.kind})`);
          out.document({ ok: true, name, store: store.kind });
          return 0;
        }),
      );
    });
  secrets
    .command('list')
    .description('names of the stored secrets (never their values)')
    .action(async (_opts: unknown, cmd: Command) => {
      setExit(
        await withApp(cmd, io, async (app, out) => {
          const store = await secretStoreFor(app, io.env);
          const names = await store.list();
          out.line(names.length ? names.join('\n') : `no secrets (${store.kind})`);
          out.document({ ok: true, store: store.kind, names });
          return 0;
        }),
      );
    });
  secrets
    .command('rm')
    .argument('<name>')
    .description('remove a secret')
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      setExit(
        await withApp(cmd, io, async (app, out) => {
          const store = await secretStoreFor(app, io.env);
          const removed = await store.remove(checkSecretName(name));
          if (!removed) throw new UserInputError(`no secret named ${name}`);
          out.line(`removed ${name}`);
          out.document({ ok: true, name });
          return 0;
        }),
      );
    });
}
