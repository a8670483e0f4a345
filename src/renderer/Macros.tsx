import { useCallback, useEffect, useState } from 'react';
import type { DeskApi } from '../shared/ipc.js';
import type { MacroDetail, MacroSummary } from '../shared/ipc-macros.js';
import { MacroEditor } from './MacroEditor.js';
import { MacroHeal } from './MacroHeal.js';
import { MacroRecord } from './MacroRecord.js';
import { MacroReplay, useReplay } from './MacroReplay.js';

/**
 * The Macros screen (issue 9): record a macro, list the library, open one to replay it with
 * its parameters, review heal diffs, and edit its steps in a form or as YAML.
 */
export function Macros({ api }: { api: DeskApi }) {
  const [list, setList] = useState<MacroSummary[]>([]);
  const [open, setOpen] = useState<MacroDetail>();
  /** Counts explicit opens: opening a macro again starts its editors from what is saved. */
  const [opened, setOpened] = useState(0);
  const [mode, setMode] = useState<'form' | 'yaml'>('form');
  const [problem, setProblem] = useState<string>();
  const replay = useReplay(api);

  const refresh = useCallback(async () => {
    const r = await api.invoke('macros.list', {});
    if (r.ok) setList(r.value);
    else setProblem(r.error.message);
  }, [api]);

  const show = useCallback(
    async (name: string) => {
      const r = await api.invoke('macros.get', { name });
      if (!r.ok) return setProblem(r.error.message);
      setProblem(undefined);
      setOpen(r.value);
    },
    [api],
  );

  const openMacro = useCallback(
    async (name: string) => {
      await show(name);
      setOpened((n) => n + 1);
    },
    [show],
  );
  const onRecorded = useCallback((name: string) => void refresh().then(() => openMacro(name)), [refresh, openMacro]);

  useEffect(() => {
    void refresh();
    return api.on('macros.changed', () => void refresh());
  }, [api, refresh]);

  // The open macro follows saves and new repairs (from here or from another window).
  useEffect(
    () =>
      api.on('macros.changed', (c) => {
        if (c.name === open?.name) void show(c.name);
      }),
    [api, open?.name, show],
  );

  return (
    <section className="panel macro-screen" aria-label="Macros">
      <div className="macro-side">
        <MacroRecord api={api} onRecorded={onRecorded} />
        <div className="row">
          <h2 id="macro-list-title">Macros</h2>
          <button type="button" onClick={() => void refresh()} aria-label="Refresh the macro list">
            Refresh
          </button>
        </div>
        {problem ? (
          <p role="alert" className="problem">
            {problem}
          </p>
        ) : null}
        {list.length === 0 ? <p className="muted">No macros yet: record one above, or save a YAML file with `deskpilot macro save`.</p> : null}
        <ul className="macro-list" aria-labelledby="macro-list-title">
          {list.map((m) => (
            <li key={m.name}>
              <button type="button" className={`macro-link ${open?.name === m.name ? 'selected' : ''}`} aria-current={open?.name === m.name} onClick={() => void openMacro(m.name)}>
                <span className="macro-name">{m.name}</span>
                {m.version !== undefined ? <span className="macro-badge">v{m.version}</span> : null}
                {m.repairs ? <span className="macro-badge macro-badge-heal">{m.repairs} repair(s) to review</span> : null}
                {m.error ? <span className="macro-badge macro-badge-bad">does not validate</span> : null}
                <span className="muted macro-meta">
                  {m.description ? `${m.description} · ` : ''}
                  {m.steps} step(s)
                  {m.params.length ? ` · params: ${m.params.map((p) => `${p.name} (${p.type})`).join(', ')}` : ''}
                  {m.updatedAt ? ` · updated ${new Date(m.updatedAt).toLocaleString()}` : ''}
                </span>
              </button>
            </li>
          ))}
        </ul>
      </div>
      <div className="macro-detail">
        {open ? (
          <MacroOpen key={`${open.name}-${opened}`} api={api} macro={open} reload={() => show(open.name)} mode={mode} setMode={setMode} replay={replay} />
        ) : (
          <p className="muted">Choose a macro to replay, heal or edit it.</p>
        )}
      </div>
    </section>
  );
}

function MacroOpen(props: {
  api: DeskApi;
  macro: MacroDetail;
  reload: () => Promise<void>;
  mode: 'form' | 'yaml';
  setMode: (m: 'form' | 'yaml') => void;
  replay: ReturnType<typeof useReplay>;
}) {
  const { api, macro, reload, mode, setMode, replay } = props;
  const [note, setNote] = useState<string>();
  const saved = async (what: string) => {
    setNote(what);
    await reload();
  };
  return (
    <article aria-labelledby="macro-open-title" className="macro-open">
      <h2 id="macro-open-title">{macro.name}</h2>
      <p className="muted">
        {macro.version !== undefined ? `version ${macro.version}` : 'not saved in the library yet'}
        {macro.updatedAt ? ` · updated ${new Date(macro.updatedAt).toLocaleString()}` : ''} · <code>{macro.file}</code>
      </p>
      {macro.description ? <p>{macro.description}</p> : null}
      {macro.error ? (
        <p role="alert" className="problem">
          This file does not validate: {macro.error}. Fix it in the YAML editor below.
        </p>
      ) : (
        <MacroReplay api={api} macro={macro} replay={replay} />
      )}
      {macro.repairs ? <MacroHeal key={`heal-${macro.version ?? 0}`} api={api} name={macro.name} onDone={saved} /> : null}
      {note ? (
        <p className="macro-note" role="status">
          {note}
        </p>
      ) : null}
      {/* A new version (saved here, healed, recorded again) starts the editors from what is saved. */}
      <MacroEditor key={`edit-${macro.version ?? 0}`} api={api} macro={macro} onSaved={saved} mode={mode} setMode={setMode} />
    </article>
  );
}
