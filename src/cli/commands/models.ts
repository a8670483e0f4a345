import type { Command } from 'commander';
import { checkModels } from '../../app/models-check.js';
import { withApp } from '../compose.js';
import type { CliIo } from '../output.js';
import { formatCheck } from './doctor.js';

export function registerModels(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const models = program.command('models').description('model endpoints (OpenAI-compatible servers)');
  models
    .command('check')
    .description('check each configured model: server reachable, model name served, model sees images; explains the usual mistakes')
    .action(async (_opts: unknown, cmd: Command) => {
      setExit(
        await withApp(cmd, io, async (app, out) => {
          const checks = await checkModels(app.config);
          for (const c of checks) out.line(formatCheck(c));
          const ok = checks.every((c) => c.status !== 'fail');
          out.document({ ok, checks });
          return ok ? 0 : 1;
        }),
      );
    });
}
