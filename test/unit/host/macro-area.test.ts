import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAppContext, type AppContext } from '../../../src/app/context.js';
import type { MouseLock } from '../../../src/host/area.js';
import { dispatch, type Handlers } from '../../../src/host/dispatch.js';
import { macroArea } from '../../../src/host/macro-area.js';
import { saveMacro, setPendingRepairs } from '../../../src/macros/index.js';
import type { IpcResult } from '../../../src/shared/ipc.js';

/**
 * The macros screen's handlers on a real store and macro folder (no display: the mouse lock is
 * a recorder of calls). Input is checked by the contract, names by the library, YAML by the parser.
 */
const YAML = `name: Demo
# how to greet
params:
  who: { type: string }
steps:
  - click "Name"   # the field
  - do: type "{{who}}"
    anchors: { text: Name }
  - press enter
`;

describe('the macros area', () => {
  let work: string;
  let app: AppContext;
  let handlers: Handlers;
  let dispose: () => Promise<void>;
  const calls: string[] = [];
  const events: string[] = [];
  const mouse: MouseLock = {
    startRun: (dryRun) => {
      calls.push(`run dryRun=${dryRun}`);
      return Promise.resolve({ runId: 'run-1' });
    },
    hold: (what) => {
      calls.push(`hold ${what}`);
      return Promise.resolve(() => undefined);
    },
  };
  const call = (channel: string, input: unknown) => dispatch(handlers, channel, input);
  const fails = async (r: Promise<IpcResult<unknown>>) => {
    const res = await r;
    if (res.ok) throw new Error(`expected an error, got ${JSON.stringify(res.value)}`);
    return res.error;
  };
  const value = async <T>(r: Promise<IpcResult<unknown>>) => {
    const res = await r;
    if (!res.ok) throw new Error(res.error.message);
    return res.value as T;
  };
  const dir = () => path.join(app.dataDir, 'macros');

  beforeEach(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'deskpilot-macro-area-'));
    app = createAppContext({ env: {}, flags: { '--data-dir': work }, defaults: { logLevel: 'error' } });
    calls.length = 0;
    events.length = 0;
    const area = macroArea({ app, emit: (e, p) => events.push(`${e} ${JSON.stringify(p)}`), keyboardHook: false, mouse });
    handlers = area.handlers as Handlers;
    dispose = () => area.dispose();
    saveMacro(await app.store(), dir(), 'Demo', YAML);
  });
  afterEach(async () => {
    await dispose();
    await app.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  it('refuses bad input by the contract, naming the field', async () => {
    expect((await fails(call('macros.get', {}))).message).toMatch(/macros\.get: bad input \(name: /);
    expect((await fails(call('macros.replay', { name: 'Demo', params: { who: { x: 1 } } }))).message).toMatch(/params\.who/);
    expect((await fails(call('macros.saveForm', { name: 'Demo', form: { params: [], steps: [{}] } }))).message).toMatch(/a step needs a command or the index/);
    expect((await fails(call('macros.saveForm', { name: 'Demo', form: { params: [{ name: '1x', type: 'string' }], steps: [] } }))).message).toMatch(/a parameter name is letters/);
  });

  it('reaches macros by library name only, never by path', async () => {
    expect((await fails(call('macros.get', { name: '../../etc/passwd' }))).message).toMatch(/not a usable macro name/);
    expect((await fails(call('macros.get', { name: 'Demo.yaml' }))).message).toMatch(/without \.yaml/);
    expect((await fails(call('macros.get', { name: 'Nope' }))).message).toMatch(/no macro "Nope".*known: Demo/);
  });

  it('lists and opens a macro with its params, version and steps as the form shows them', async () => {
    const list = await value<Array<Record<string, unknown>>>(call('macros.list', {}));
    expect(list).toEqual([expect.objectContaining({ name: 'Demo', version: 1, steps: 3, repairs: 0, params: [{ name: 'who', type: 'string' }] })]);
    const d = await value<{ text: string; stepViews: unknown[] }>(call('macros.get', { name: 'Demo' }));
    expect(d.text).toBe(YAML);
    expect(d.stepViews).toEqual([
      { kind: 'command', command: 'click "Name"', notes: [] },
      { kind: 'command', command: 'type "{{who}}"', notes: ['recorded anchors'] },
      { kind: 'command', command: 'press enter', notes: [] },
    ]);
  });

  it('a bad YAML save names line:col and keeps the last good version, file and store', async () => {
    const bad = YAML.replace('press enter', 'prss enter');
    const err = await fails(call('macros.saveYaml', { name: 'Demo', yaml: bad }));
    expect(err.message).toMatch(/^Demo\.yaml:9:5: unknown command "prss"; did you mean "press"\?/);
    expect(readFileSync(path.join(dir(), 'Demo.yaml'), 'utf8')).toBe(YAML);
    expect((await app.store()).macros.get('Demo')).toMatchObject({ version: 1, source: YAML });
    const ok = await value<{ version: number }>(call('macros.saveYaml', { name: 'Demo', yaml: YAML.replace('press enter', 'press tab') }));
    expect(ok.version).toBe(2);
    expect(events.at(-1)).toBe('macros.changed {"name":"Demo"}');
  });

  it('the form reorders, edits and adds steps and params, keeping comments and anchors', async () => {
    const saved = await value<{ version: number; text: string }>(
      call('macros.saveForm', {
        name: 'Demo',
        form: {
          description: 'Greets someone',
          params: [
            { name: 'who', type: 'string', default: 'Ada' },
            { name: 'times', type: 'number', default: 2 },
          ],
          steps: [{ from: 1, command: 'type "{{who}} x{{times}}"' }, { from: 0, command: 'click "Name"' }, { command: 'press tab' }],
        },
      }),
    );
    expect(saved.version).toBe(2);
    expect(saved.text).toBe(`name: Demo
description: Greets someone
# how to greet
params:
  who: { type: string, default: Ada }
  times: { type: number, default: 2 }
steps:
  - do: type "{{who}} x{{times}}"
    anchors: { text: Name }
  - click "Name" # the field
  - press tab
`);
    expect(readFileSync(path.join(dir(), 'Demo.yaml'), 'utf8')).toBe(saved.text);
  });

  it('a bad form save names the step and changes nothing', async () => {
    const err = await fails(call('macros.saveForm', { name: 'Demo', form: { params: [{ name: 'who', type: 'string' }], steps: [{ from: 0 }, { command: 'clik "OK"' }] } }));
    expect(err.message).toMatch(/^step 2: unknown command "clik"; did you mean "click"\?/);
    expect((await fails(call('macros.saveForm', { name: 'Demo', form: { params: [], steps: [{ command: '  ' }] } }))).message).toMatch(/step 1 is empty/);
    expect((await fails(call('macros.saveForm', { name: 'Demo', form: { params: [], steps: [{ from: 7 }] } }))).message).toMatch(/no step 8/);
    expect(readFileSync(path.join(dir(), 'Demo.yaml'), 'utf8')).toBe(YAML);
  });

  it('replay checks the parameters before it takes the mouse', async () => {
    expect((await fails(call('macros.replay', { name: 'Demo' }))).message).toMatch(/missing required parameter "who"/);
    expect((await fails(call('macros.replay', { name: 'Demo', params: { who: 'x', nope: 1 } }))).message).toMatch(/unknown parameter "nope"/);
    expect(calls).toEqual([]);
    expect(await value(call('macros.replay', { name: 'Demo', params: { who: 'Ada' }, dryRun: true }))).toEqual({ runId: 'run-1' });
    expect(calls).toEqual(['run dryRun=true']);
  });

  it('recording refuses a name that exists, before taking the mouse', async () => {
    expect((await fails(call('macros.record.start', { name: 'Demo' }))).message).toMatch(/a macro named "Demo" exists already/);
    expect((await fails(call('macros.record.stop', {}))).message).toMatch(/nothing is being recorded/);
    expect(await value(call('macros.record.state', {}))).toBeNull();
    expect(calls).toEqual([]);
  });

  it('heal shows the waiting repairs as a diff; Approve writes a new version, Discard drops them', async () => {
    const store = await app.store();
    const file = path.join(dir(), 'Demo.yaml');
    const repair = { key: 'steps/0', path: ['steps', 0], reason: 'found by template, not by text as recorded', anchors: { text: 'Full name' }, text: { from: 'Name', to: 'Full name' } };
    setPendingRepairs(store, file, [repair]);
    expect((await value<Array<{ repairs: number }>>(call('macros.list', {})))[0]?.repairs).toBe(1);
    const heal = await value<{ diff: string; repairs: unknown[] }>(call('macros.heal.get', { name: 'Demo' }));
    expect(heal.repairs).toEqual([{ step: 'steps.0', reason: repair.reason }]);
    expect(heal.diff).toMatch(/^--- a\/Demo\.yaml\n\+\+\+ b\/Demo\.yaml\n@@ [\s\S]*\n- {2}- click "Name" {3}# the field\n\+ {2}- do: click "Full name"/);
    const applied = await value<{ version: number }>(call('macros.heal.apply', { name: 'Demo' }));
    expect(applied.version).toBe(2);
    expect(readFileSync(file, 'utf8')).toMatch(/do: click "Full name"/);
    expect((await value<{ diff: string }>(call('macros.heal.get', { name: 'Demo' }))).diff).toBe('');
    expect((await fails(call('macros.heal.apply', { name: 'Demo' }))).message).toMatch(/no repairs are waiting/);

    setPendingRepairs(store, file, [repair]);
    await value(call('macros.heal.discard', { name: 'Demo' }));
    expect((await value<{ diff: string }>(call('macros.heal.get', { name: 'Demo' }))).diff).toBe('');
    expect(store.macros.get('Demo')?.version).toBe(2);
  });
});
