import path from 'node:path';
import type { Command } from 'commander';
import { macroFile } from '../../macros/index.js';
import { finishRecording, InputCapture } from '../../macros/record/index.js';
import { createScreenSource } from '../../perception/index.js';
import { createOcr } from '../../perception/ocr/index.js';
import { describeStep } from '../../shared/steps.js';
import { withApp } from '../compose.js';
import type { CliIo } from '../output.js';
import { macrosDir } from './macro.js';
import { secretStoreFor } from './secrets.js';

interface RecordFlags {
  out?: string;
  description?: string;
  secretField: string[];
}

const collect = (v: string, all: string[]) => [...all, v];

export function registerRecord(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('record')
    .description('record what you do with the mouse and keyboard as a macro (stop with Ctrl+C or Ctrl+Alt+End)')
    .argument('<name>', 'the macro name, e.g. "Submit expense"')
    .option('--out <file>', 'where to write the macro (default: <data dir>/macros/<name>.yaml)')
    .option('--description <text>', 'what the macro is for')
    .option('--secret-field <label>', 'text typed into the field with this label is a secret (repeatable)', collect, [])
    .action(async (name: string, flags: RecordFlags, cmd: Command) => {
      setExit(
        await withApp(cmd, io, async (app, out) => {
          // The library's own naming, so that `deskpilot replay <name>` finds what was recorded.
          const file = path.resolve(flags.out ?? macroFile(macrosDir(app), name));
          const screen = await createScreenSource({ ...(app.display ? { display: app.display } : {}), logger: app.logger });
          let stop: () => void = () => undefined;
          const stopped = new Promise<void>((resolve) => (stop = resolve));
          const capture = await InputCapture.start({
            screen,
            ...(app.display ? { display: app.display } : {}),
            onStopHotkey: () => stop(),
            logger: app.logger,
          }).catch(async (err: unknown) => {
            await screen.dispose();
            throw err;
          });
          process.once('SIGINT', stop);
          out.line('recording… press Ctrl+C (or Ctrl+Alt+End) to stop');
          await stopped;
          process.removeListener('SIGINT', stop);
          const session = await capture.stop();
          out.line('stopped; reading the screens…');
          const ocr = createOcr({ logger: app.logger });
          try {
            const recording = await finishRecording(session, {
              name,
              file,
              ocr,
              secrets: await secretStoreFor(app, io.env),
              secretFields: flags.secretField,
              ...(flags.description ? { description: flags.description } : {}),
              logger: app.logger,
            });
            if (recording.steps.length === 0) {
              out.line('nothing was recorded: no clicks or keys outside DeskPilot');
              out.document({ ok: false, steps: [] });
              return 1;
            }
            // A macro in the library also gets a stored version, as `deskpilot macro save` does.
            if (!flags.out) (await app.store()).macros.put(name, recording.source);
            recording.steps.forEach((s, i) => out.line(`[${i + 1}] ${describeStep(s.step)}`));
            for (const s of recording.secrets) {
              if (recording.unstored.includes(s)) out.line(`typed secret NOT stored: set it before replaying with: deskpilot secrets set ${s}`);
              else out.line(`typed secret stored as ${s} (used as {{secret:${s}}})`);
            }
            out.line(`macro "${name}" written to ${recording.file} (${recording.crops.length} crops)`);
            out.document({ ok: true, name, file: recording.file, steps: recording.steps.map((s) => s.step), crops: recording.crops, secrets: recording.secrets, unstored: recording.unstored });
            return 0;
          } finally {
            await ocr.dispose();
            await screen.dispose();
          }
        }),
      );
    });
}
