import { useRef, useState, type FormEvent } from 'react';
import type { DeskApi } from '../shared/ipc.js';
import type { MacroDetail, MacroParamType, MacroStepView } from '../shared/ipc-macros.js';

interface FormStep {
  key: number;
  /** The index of the file's step it was; none for a new step. */
  from?: number;
  view: MacroStepView;
  command: string;
}
interface FormParam {
  key: number;
  name: string;
  type: MacroParamType;
  default: string;
  description: string;
}

let nextKey = 1;
const TYPES: MacroParamType[] = ['string', 'number', 'boolean'];

/** `name.yaml:12:5: message` → where, for the YAML editor. */
export function errorPlace(message: string): { line: number; column: number } | undefined {
  const m = /^[^\n]*?:(\d+):(\d+): /.exec(message);
  return m ? { line: Number(m[1]), column: Number(m[2]) } : undefined;
}

/** Edit the steps and parameters in a form, or the whole file as YAML; a save is validated first. */
export function MacroEditor(props: { api: DeskApi; macro: MacroDetail; onSaved: (note: string) => Promise<void>; mode: 'form' | 'yaml'; setMode: (m: 'form' | 'yaml') => void }) {
  const { api, macro, onSaved, setMode } = props;
  const mode = macro.error ? 'yaml' : props.mode;
  return (
    <section className="macro-section" aria-labelledby="macro-edit-title">
      <div className="row">
        <h3 id="macro-edit-title">Edit</h3>
        <div className="macro-modes" role="radiogroup" aria-label="Edit as">
          {(['form', 'yaml'] as const).map((m) => (
            <label key={m} className="check">
              <input type="radio" name="macro-mode" checked={mode === m} disabled={m === 'form' && Boolean(macro.error)} onChange={() => setMode(m)} />
              {m === 'form' ? 'Steps form' : 'YAML'}
            </label>
          ))}
        </div>
      </div>
      {mode === 'form' ? <StepsForm api={api} macro={macro} onSaved={onSaved} /> : <YamlEditor api={api} macro={macro} onSaved={onSaved} />}
    </section>
  );
}

function YamlEditor({ api, macro, onSaved }: { api: DeskApi; macro: MacroDetail; onSaved: (note: string) => Promise<void> }) {
  const [text, setText] = useState(macro.text);
  const [problem, setProblem] = useState<string>();
  const area = useRef<HTMLTextAreaElement>(null);
  const place = problem ? errorPlace(problem) : undefined;

  async function save(e: FormEvent) {
    e.preventDefault();
    const r = await api.invoke('macros.saveYaml', { name: macro.name, yaml: text });
    if (!r.ok) {
      setProblem(r.error.message);
      return;
    }
    setProblem(undefined);
    await onSaved(`saved as version ${r.value.version}`);
  }

  /** Puts the caret where the error is. */
  function goTo(p: { line: number; column: number }) {
    const el = area.current;
    if (!el) return;
    const lines = text.split('\n');
    const offset = lines.slice(0, p.line - 1).reduce((n, l) => n + l.length + 1, 0) + Math.max(0, p.column - 1);
    el.focus();
    el.setSelectionRange(offset, offset + Math.max(1, (lines[p.line - 1]?.length ?? 0) - p.column + 1));
  }

  return (
    <form onSubmit={(e) => void save(e)} className="macro-yaml">
      <div className="macro-yaml-box">
        <textarea
          ref={area}
          className="macro-yaml-text"
          aria-label="Macro YAML"
          aria-invalid={Boolean(problem)}
          aria-describedby={problem ? 'macro-yaml-problem' : undefined}
          spellCheck={false}
          rows={Math.min(30, Math.max(8, text.split('\n').length + 1))}
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
        {problem ? (
          <div id="macro-yaml-problem" role="alert" className="macro-yaml-problem">
            {place ? <strong>line {place.line}, column {place.column}</strong> : <strong>not saved</strong>}
            <div>{problem}</div>
            <div className="muted">Nothing was saved: version {macro.version ?? '—'} stays the last good one.</div>
            {place ? (
              <button type="button" onClick={() => goTo(place)}>
                Go to line {place.line}
              </button>
            ) : null}
          </div>
        ) : null}
      </div>
      <div className="buttons">
        <button type="submit" disabled={text === macro.text} aria-label="Save the YAML">
          Save
        </button>
        <button type="button" disabled={text === macro.text} onClick={() => {
            setText(macro.text);
            setProblem(undefined);
          }}>
          Revert
        </button>
      </div>
    </form>
  );
}

function StepsForm({ api, macro, onSaved }: { api: DeskApi; macro: MacroDetail; onSaved: (note: string) => Promise<void> }) {
  const [description, setDescription] = useState(macro.description ?? '');
  const [params, setParams] = useState<FormParam[]>(() =>
    macro.params.map((p) => ({ key: nextKey++, name: p.name, type: p.type, default: p.default === undefined ? '' : String(p.default), description: p.description ?? '' })),
  );
  const [steps, setSteps] = useState<FormStep[]>(() => macro.stepViews.map((v, i) => ({ key: nextKey++, from: i, view: v, command: v.kind === 'command' ? v.command : '' })));
  const [problem, setProblem] = useState<string>();
  const [dirty, setDirty] = useState(false);
  const list = useRef<HTMLOListElement>(null);
  const badStep = problem ? /^step (\d+)/.exec(problem)?.[1] : undefined;

  const change = <T,>(set: (f: (x: T) => T) => void) => (f: (x: T) => T) => {
    set(f);
    setDirty(true);
  };
  const editSteps = change(setSteps);
  const editParams = change(setParams);

  function move(i: number, by: number) {
    const j = i + by;
    if (j < 0 || j >= steps.length) return;
    editSteps((all) => {
      const next = [...all];
      [next[i], next[j]] = [next[j]!, next[i]!];
      return next;
    });
    // Keyboard users keep their place: focus follows the step to its new row.
    requestAnimationFrame(() => list.current?.querySelectorAll<HTMLElement>('[data-step-input]')[j]?.focus());
  }

  function addStep() {
    editSteps((all) => [...all, { key: nextKey++, view: { kind: 'command', command: '', notes: [] }, command: '' }]);
    requestAnimationFrame(() => {
      const inputs = list.current?.querySelectorAll<HTMLElement>('[data-step-input]');
      inputs?.[inputs.length - 1]?.focus();
    });
  }

  async function save(e: FormEvent) {
    e.preventDefault();
    const form = {
      description,
      params: params.map((p) => ({
        name: p.name,
        type: p.type,
        ...(p.default.trim() === '' ? {} : { default: p.type === 'number' ? Number(p.default) : p.type === 'boolean' ? p.default === 'true' : p.default }),
        ...(p.description.trim() ? { description: p.description.trim() } : {}),
      })),
      steps: steps.map((s) => ({ ...(s.from !== undefined ? { from: s.from } : {}), ...(s.view.kind === 'command' ? { command: s.command } : {}) })),
    };
    const r = await api.invoke('macros.saveForm', { name: macro.name, form });
    if (!r.ok) return setProblem(r.error.message);
    setProblem(undefined);
    setDirty(false);
    await onSaved(`saved as version ${r.value.version}`);
  }

  return (
    <form onSubmit={(e) => void save(e)} className="macro-form" aria-label="Steps form">
      <label htmlFor="macro-form-description">Description</label>
      <input id="macro-form-description" value={description} onChange={(e) => {
          setDescription(e.target.value);
          setDirty(true);
        }} />

      <h4>Parameters</h4>
      {params.length === 0 ? <p className="muted">No parameters. Use them in steps as {'{{name}}'}.</p> : null}
      <table className="macro-params">
        {params.length ? (
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Type</th>
              <th scope="col">Default</th>
              <th scope="col">Description</th>
              <th scope="col">
                <span className="sr-only macro-sr">Remove</span>
              </th>
            </tr>
          </thead>
        ) : null}
        <tbody>
          {params.map((p, i) => {
            const set = (patch: Partial<FormParam>) => editParams((all) => all.map((x) => (x.key === p.key ? { ...x, ...patch } : x)));
            return (
              <tr key={p.key}>
                <td>
                  <input aria-label={`Parameter ${i + 1} name`} value={p.name} onChange={(e) => set({ name: e.target.value })} />
                </td>
                <td>
                  <select aria-label={`Parameter ${i + 1} type`} value={p.type} onChange={(e) => set({ type: e.target.value as MacroParamType, default: '' })}>
                    {TYPES.map((t) => (
                      <option key={t}>{t}</option>
                    ))}
                  </select>
                </td>
                <td>
                  {p.type === 'boolean' ? (
                    <select aria-label={`Parameter ${i + 1} default`} value={p.default} onChange={(e) => set({ default: e.target.value })}>
                      <option value="">(none: required)</option>
                      <option>true</option>
                      <option>false</option>
                    </select>
                  ) : (
                    <input
                      aria-label={`Parameter ${i + 1} default`}
                      type={p.type === 'number' ? 'number' : 'text'}
                      step="any"
                      placeholder="(none: required)"
                      value={p.default}
                      onChange={(e) => set({ default: e.target.value })}
                    />
                  )}
                </td>
                <td>
                  <input aria-label={`Parameter ${i + 1} description`} value={p.description} onChange={(e) => set({ description: e.target.value })} />
                </td>
                <td>
                  <button type="button" className="danger" aria-label={`Remove parameter ${p.name || i + 1}`} onClick={() => editParams((all) => all.filter((x) => x.key !== p.key))}>
                    Remove
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <button type="button" onClick={() => editParams((all) => [...all, { key: nextKey++, name: '', type: 'string', default: '', description: '' }])}>
        Add parameter
      </button>

      <h4>Steps</h4>
      <ol className="macro-steps" ref={list} aria-label="Macro steps">
        {steps.map((s, i) => (
          <li key={s.key} className={`macro-step ${badStep === String(i + 1) ? 'macro-step-bad' : ''}`}>
            <span className="macro-step-n" aria-hidden="true">
              {i + 1}.
            </span>
            {s.view.kind === 'command' ? (
              <input
                data-step-input
                className="macro-step-command"
                aria-label={`Step ${i + 1} command`}
                value={s.command}
                placeholder='click "Save"'
                onChange={(e) => editSteps((all) => all.map((x) => (x.key === s.key ? { ...x, command: e.target.value } : x)))}
                onKeyDown={(e) => {
                  // Alt+Up / Alt+Down move the step, as in a list editor.
                  if (e.altKey && (e.key === 'ArrowUp' || e.key === 'ArrowDown')) {
                    e.preventDefault();
                    move(i, e.key === 'ArrowUp' ? -1 : 1);
                  }
                }}
              />
            ) : (
              <span data-step-input tabIndex={0} className="macro-step-other" aria-label={`Step ${i + 1}: ${s.view.summary} (edit it in YAML)`}>
                {s.view.summary} <span className="muted">(edit in YAML)</span>
              </span>
            )}
            <span className="macro-step-buttons">
              <button type="button" disabled={i === 0} onClick={() => move(i, -1)} aria-label={`Move step ${i + 1} up`}>
                ↑
              </button>
              <button type="button" disabled={i === steps.length - 1} onClick={() => move(i, 1)} aria-label={`Move step ${i + 1} down`}>
                ↓
              </button>
              <button type="button" className="danger" onClick={() => editSteps((all) => all.filter((x) => x.key !== s.key))} aria-label={`Remove step ${i + 1}`}>
                ✕
              </button>
            </span>
            {s.view.notes.length ? (
              <span className="macro-step-notes">
                {s.view.notes.map((n) => (
                  <span key={n} className="macro-badge">
                    {n}
                  </span>
                ))}
              </span>
            ) : null}
          </li>
        ))}
      </ol>
      <button type="button" onClick={addStep}>
        Add step
      </button>
      {problem ? (
        <p role="alert" className="problem">
          Not saved: {problem}
        </p>
      ) : null}
      <div className="buttons">
        <button type="submit" disabled={!dirty} aria-label="Save the steps">
          Save
        </button>
      </div>
    </form>
  );
}
