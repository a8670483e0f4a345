import { spawn } from 'node:child_process';
import { InvalidArgumentError, type Command } from 'commander';
import { openHost } from '../../host/index.js';
import { withApp } from '../compose.js';
import type { CliIo } from '../output.js';

interface UiFlags {
  port?: number;
  open: boolean;
}

function port(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65535) throw new InvalidArgumentError('expected a port number (0-65535; 0 picks a free one).');
  return Number(value);
}

/**
 * `deskpilot ui`: the app in a browser. Serves the built UI and the IPC contract on 127.0.0.1
 * with a per-launch token, and runs until Ctrl+C.
 */
export function registerUi(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('ui')
    .description('open the DeskPilot app in a browser (chat, confirmations, history, settings), served on 127.0.0.1 only')
    .option('--port <n>', 'port to listen on (default: a free one)', port)
    .option('--no-open', 'print the address instead of opening a browser')
    .action(async (flags: UiFlags, cmd: Command) => {
      setExit(
        await withApp(cmd, io, async (app, out) => {
          const host = await openHost(app, { ...(flags.port !== undefined ? { port: flags.port } : {}), note: (l) => out.line(l) });
          out.line(`DeskPilot is at ${host.url}`);
          out.line('Keep this address to yourself: the token in it lets a page drive your mouse. Ctrl+C quits.');
          out.document({ ok: true, url: host.url, port: host.port });
          if (flags.open) openBrowser(host.url, app.display, (l) => out.line(l));
          await untilInterrupted();
          out.line('closing…');
          await host.close();
          return 0;
        }),
      );
    });
}

function openBrowser(url: string, display: string | undefined, note: (line: string) => void): void {
  const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  const child = spawn(opener, [url], { stdio: 'ignore', detached: true, env: { ...process.env, ...(display ? { DISPLAY: display } : {}) } });
  child.on('error', () => note(`could not start ${opener}: open the address above in a browser`));
  child.unref();
}

function untilInterrupted(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
}
