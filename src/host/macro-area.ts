import path from 'node:path';
import { macrosDir } from '../cli/commands/macro.js';
import { applyRepairs, listMacros, loadMacro, macroFile, parseMacro, pendingRepairs, replayMacro, resolveParams, saveMacro, setPendingRepairs, unifiedDiff, type LoadedMacro } from '../macros/index.js';
import { UserInputError } from '../shared/errors.js';
import type { MacroSaved, macroChannels } from '../shared/ipc-macros.js';
import type { Store } from '../shared/ports.js';
import type { Area, AreaDeps } from './area.js';
import { MacroRecorder } from './macro-record.js';
import { detailOf, formToYaml, summaries } from './macro-views.js';

type Keys = keyof typeof macroChannels;

/**
 * The macros screen: the library (src/macros/library.ts) by name, the recorder, replays on the
 * service's engine under its one-run lock, and heal diffs to approve — what `deskpilot macro`,
 * `record` and `replay` do on the command line, through the same functions.
 */
export function macroArea(deps: AreaDeps): Area<Keys> {
  const { app, emit } = deps;
  const dir = () => macrosDir(app);
  const recorder = new MacroRecorder({ app, emit, hold: (what) => deps.mouse.hold(what) });

  /** A library name only: the UI never reaches a file by path. */
  const fileOf = (name: string): string => {
    if (/\.ya?ml$/i.test(name)) throw new UserInputError(`"${name}": give the macro's name without .yaml`, {}, { code: 'IPC_BAD_INPUT' });
    return macroFile(dir(), name);
  };
  const load = async (name: string): Promise<{ store: Store; loaded: LoadedMacro }> => {
    fileOf(name);
    const store = await app.store();
    return { store, loaded: loadMacro(store, dir(), name) };
  };
  const saved = (name: string, s: ReturnType<typeof saveMacro>, text: string): MacroSaved => {
    emit('macros.changed', { name });
    return { name, version: s.record.version, file: s.file, text };
  };

  return {
    handlers: {
      async 'macros.list'() {
        return summaries(await app.store(), dir());
      },
      async 'macros.get'({ name }) {
        fileOf(name);
        return detailOf(await app.store(), dir(), name);
      },
      async 'macros.saveYaml'({ name, yaml }) {
        const file = fileOf(name);
        // Errors name `<name>.yaml:line:col` as the person sees it in the editor; nothing is written.
        parseMacro(yaml, path.basename(file));
        return saved(name, saveMacro(await app.store(), dir(), name, yaml), yaml);
      },
      async 'macros.saveForm'({ name, form }) {
        const { store, loaded } = await load(name);
        const text = formToYaml(loaded.text, form, path.basename(loaded.file));
        return saved(name, saveMacro(store, dir(), name, text), text);
      },
      async 'macros.record.start'({ name, description }) {
        const file = fileOf(name);
        if (listMacros(await app.store(), dir()).some((m) => m.name === name)) {
          throw new UserInputError(`a macro named "${name}" exists already: choose another name`, {}, { code: 'MACRO_EXISTS' });
        }
        await recorder.start(name, file, description);
        return { name, file };
      },
      'macros.record.state': () => Promise.resolve(recorder.state()),
      'macros.record.stop': () => recorder.stop(),
      async 'macros.replay'({ name, params, dryRun }) {
        const { store, loaded } = await load(name);
        // As text, as `--param k=v` gives them: the library checks them against the declared types.
        const given = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)]));
        // A missing or mistyped parameter is found before the mouse is taken.
        resolveParams(loaded.macro.params, given, path.basename(loaded.file));
        return deps.mouse.startRun(dryRun ?? false, async (s) => {
          const result = await replayMacro(s.deps, s.perception, loaded.macro, {
            params: given,
            control: s.control,
            ...s.replayOptions,
          });
          if (result.repairs.length) {
            setPendingRepairs(store, loaded.file, result.repairs);
            emit('macros.changed', { name });
          }
          return result;
        });
      },
      async 'macros.heal.get'({ name }) {
        const { store, loaded } = await load(name);
        const repairs = pendingRepairs(store, loaded.file);
        const healed = repairs.length ? applyRepairs(loaded.text, repairs, loaded.file) : loaded.text;
        return {
          diff: unifiedDiff(loaded.text, healed, path.basename(loaded.file)),
          repairs: repairs.map((r) => ({ step: r.path.join('.'), reason: r.reason })),
        };
      },
      async 'macros.heal.apply'({ name }) {
        const { store, loaded } = await load(name);
        const repairs = pendingRepairs(store, loaded.file);
        if (repairs.length === 0) throw new UserInputError(`no repairs are waiting for "${name}"`, {}, { code: 'MACRO_NO_REPAIRS' });
        const healed = applyRepairs(loaded.text, repairs, loaded.file);
        const s = saveMacro(store, dir(), name, healed);
        setPendingRepairs(store, loaded.file, []);
        return saved(name, s, healed);
      },
      async 'macros.heal.discard'({ name }) {
        const { store, loaded } = await load(name);
        setPendingRepairs(store, loaded.file, []);
        emit('macros.changed', { name });
        return {};
      },
    },
    dispose: () => recorder.dispose(),
  };
}
