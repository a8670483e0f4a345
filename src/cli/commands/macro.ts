import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { AppContext } from '../../app/context.js';
import { applyRepairs, listMacros, loadMacro, parseMacro, pendingRepairs, saveMacro, setPendingRepairs, unifiedDiff, type MacroNode } from '../../macros/index.js';
import { UserInputError } from '../../shared/errors.js';
import { describeStep } from '../../shared/steps.js';
import { describeTarget } from '../../shared/target.js';
import { withApp } from '../compose.js';
import type { CliIo } from '../output.js';

/** Where macros live: `<dataDir>/macros/<name>.yaml`, crops in `<name>.crops/`. */
export function macrosDir(app: AppContext): string {
  return path.join(app.dataDir, 'macros');
}

export function registerMacro(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const macro = program.command('macro').description('check, list, show, save and heal SOP macros (YAML files you can edit)');

  macro
    .command('validate')
    .description('check a macro file; errors say file:line:col')
    .argument('<file>', 'the macro YAML file')
    .action(async (file: string, _o: unknown, cmd: Command) => {
      setExit(
        await withApp(cmd, io, (_app, out) => {
          const text = readText(file);
          const m = parseMacro(text, file);
          out.document({ ok: true, file, name: m.name, steps: count(m.program) });
          out.line(`${file}: ok — "${m.name}", ${count(m.program)} steps`);
          return Promise.resolve(0);
        }),
      );
    });

  macro
    .command('save')
    .description('validate a macro file and save it as a new version (a bad file never replaces the last good one)')
    .argument('<name>', 'the name to save it under')
    .argument('<file>', 'the edited YAML file')
    .action(async (name: string, file: string, _o: unknown, cmd: Command) => {
      setExit(
        await withApp(cmd, io, async (app, out) => {
          const text = readText(file);
          // Errors name the file the person edited, not where it is saved to.
          parseMacro(text, file);
          const saved = saveMacro(await app.store(), macrosDir(app), name, text);
          out.document({ ok: true, name, file: saved.file, version: saved.record.version });
          out.line(`saved "${name}" version ${saved.record.version} to ${saved.file}`);
          return 0;
        }),
      );
    });

  macro
    .command('list')
    .description('list saved macros')
    .action(async (_o: unknown, cmd: Command) => {
      setExit(
        await withApp(cmd, io, async (app, out) => {
          const list = listMacros(await app.store(), macrosDir(app));
          out.document({ ok: true, macros: list });
          if (list.length === 0) out.line(`no macros yet (they live in ${macrosDir(app)})`);
          for (const m of list) out.line(`${m.name}${m.version ? `  v${m.version}` : ''}  ${m.file}`);
          return 0;
        }),
      );
    });

  macro
    .command('show')
    .description('print a macro and its steps')
    .argument('<name>', 'a saved macro name, or a path to a YAML file')
    .action(async (name: string, _o: unknown, cmd: Command) => {
      setExit(
        await withApp(cmd, io, async (app, out) => {
          const loaded = loadMacro(await app.store(), macrosDir(app), name);
          out.document({ ok: true, file: loaded.file, macro: { ...loaded.macro, program: undefined }, source: loaded.text });
          out.line(`# ${loaded.file}`);
          out.line(loaded.text.trimEnd());
          out.line();
          for (const l of outline(loaded.macro.program, '')) out.line(l);
          const repairs = pendingRepairs(await app.store(), loaded.file);
          if (repairs.length) out.line(`\n${repairs.length} repair(s) waiting for review: deskpilot macro heal ${name}`);
          return 0;
        }),
      );
    });

  macro
    .command('heal')
    .description('show the repairs the last replays found as a diff of the macro file; --apply writes them')
    .argument('<name>', 'a saved macro name, or a path to a YAML file')
    .option('--apply', 'write the repairs (validated, as a new version)')
    .action(async (name: string, opts: { apply?: boolean }, cmd: Command) => {
      setExit(
        await withApp(cmd, io, async (app, out) => {
          const store = await app.store();
          const loaded = loadMacro(store, macrosDir(app), name);
          const repairs = pendingRepairs(store, loaded.file);
          const healed = repairs.length ? applyRepairs(loaded.text, repairs, loaded.file) : loaded.text;
          const diff = unifiedDiff(loaded.text, healed, path.basename(loaded.file));
          out.document({ ok: true, file: loaded.file, repairs, diff, applied: Boolean(opts.apply && diff) });
          if (!diff) {
            out.line(`no repairs waiting for ${loaded.file}`);
            return 0;
          }
          for (const r of repairs) out.line(`# ${r.path.join('.')}: ${r.reason}`);
          io.stdout(out.json ? '' : diff);
          if (!opts.apply) {
            out.line(`\nnot written; to apply: deskpilot macro heal ${name} --apply`);
            return 0;
          }
          const saved = saveMacro(store, path.dirname(loaded.file), loaded.name, healed, loaded.file);
          setPendingRepairs(store, loaded.file, []);
          out.line(`\napplied: ${saved.file} (version ${saved.record.version})`);
          return 0;
        }),
      );
    });
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new UserInputError(`cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}

function count(nodes: MacroNode[]): number {
  return nodes.reduce((n, x) => n + (x.type === 'action' ? 1 : x.type === 'if' ? count(x.then) + count(x.else) : count(x.steps)), 0);
}

function outline(nodes: MacroNode[], indent: string): string[] {
  return nodes.flatMap((n) => {
    const at = `:${n.where.line}`.padEnd(5);
    if (n.type === 'action') return [`${at}${indent}${describeStep(n.step)}${n.irreversible ? '  [irreversible]' : ''}`];
    if (n.type === 'if') {
      return [`${at}${indent}if ${n.visible ? '' : 'not '}visible ${describeTarget(n.target)}`, ...outline(n.then, indent + '  '), ...(n.else.length ? [`     ${indent}else`, ...outline(n.else, indent + '  ')] : [])];
    }
    return [`${at}${indent}repeat ${n.forEachRow ? `for each row of ${n.forEachRow}` : `${n.times} times`}`, ...outline(n.steps, indent + '  ')];
  });
}
