import type { Command } from 'commander';
import { runDoctor, type CheckResult } from '../../app/doctor/index.js';
import { withApp } from '../compose.js';
import type { CliIo } from '../output.js';

const MARK: Record<CheckResult['status'], string> = { ok: '✓', fail: '✗', skip: '–' };

export function formatCheck(r: CheckResult): string {
  const line = `${MARK[r.status]} ${r.name.padEnd(26)} ${r.detail}`;
  return r.hint && r.status === 'fail' ? `${line}\n    fix: ${r.hint}` : line;
}

export function registerDoctor(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('doctor')
    .description(
      'check that this machine can run DeskPilot: display, capture, input, OCR, model endpoint, database',
    )
    .action(async (_opts: unknown, cmd: Command) => {
      setExit(
        await withApp(cmd, io, async (app, out) => {
          out.line(
            `config: ${app.sources.file}${app.sources.fileFound ? '' : ' (not found; defaults used)'}`,
          );
          out.line(`data dir: ${app.dataDir}`);
          const result = await runDoctor(
            {
              config: app.config,
              dataDir: app.dataDir,
              display: app.display,
              platform: process.platform,
              logger: app.logger,
            },
            { onResult: (r) => out.line(formatCheck(r)) },
          );
          const failed = result.checks.filter((c) => c.status === 'fail').length;
          out.line(failed ? `${failed} check${failed > 1 ? 's' : ''} failed` : 'all checks passed');
          out.document({
            ok: result.ok,
            config: { file: app.sources.file, found: app.sources.fileFound },
            dataDir: app.dataDir,
            checks: result.checks,
          });
          return result.ok ? 0 : 1;
        }),
      );
    });
}
