import { useState } from 'react';
import type { CheckResultView, DeskApi } from '../shared/ipc.js';
import type { EndpointSettingsView, SettingsConfigView } from '../shared/ipc-settings.js';

/** The select's value for "keep the key written in the config file" (never a secret name: those start with a letter). */
const KEEP = '=keep';

export function CheckList({ label, checks }: { label: string; checks: CheckResultView[] }) {
  return (
    <ul className="checks" aria-label={label}>
      {checks.map((c) => (
        <li key={c.name} className={`check-${c.status}`}>
          <strong>
            {c.status === 'ok' ? '✓' : c.status === 'fail' ? '✗' : '–'} {c.name}
          </strong>
          : {c.detail}
          {c.hint ? <div className="hint">What to do: {c.hint}</div> : null}
        </li>
      ))}
    </ul>
  );
}

/**
 * One model role's endpoint: base URL, model, and the API key by secret NAME (the value is never
 * shown or sent here). "Check" tries the values as typed, saved or not.
 */
export function SettingsEndpoint({ api, view, secretNames, onSaved }: { api: DeskApi; view: EndpointSettingsView; secretNames: string[]; onSaved: (v: SettingsConfigView) => void }) {
  const e = view.endpoint;
  const initialKey = !e || e.key.kind === 'none' ? '' : e.key.kind === 'literal' ? KEEP : e.key.name;
  const [baseURL, setBaseURL] = useState(e?.baseURL ?? '');
  const [model, setModel] = useState(e?.model ?? '');
  const [key, setKey] = useState(initialKey);
  const [checks, setChecks] = useState<CheckResultView[]>();
  const [busy, setBusy] = useState<'save' | 'check'>();
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  const role = view.role;
  const draft = () => ({ role, baseURL, model, ...(key === KEEP ? {} : { secretName: key }) });
  const names = [...new Set([...secretNames, ...(e?.key.kind === 'secret' ? [e.key.name] : [])])].sort();

  async function save() {
    setBusy('save');
    setMessage(undefined);
    const r = await api.invoke('settings.endpoint.save', draft());
    setBusy(undefined);
    if (!r.ok) return setMessage({ ok: false, text: r.error.message });
    setMessage({ ok: true, text: 'Saved: used from the next run.' });
    onSaved(r.value);
  }

  async function check() {
    setBusy('check');
    setChecks(undefined);
    setMessage(undefined);
    const r = await api.invoke('settings.endpoint.check', draft());
    setBusy(undefined);
    if (r.ok) setChecks(r.value);
    else setMessage({ ok: false, text: r.error.message });
  }

  const id = (what: string) => `settings-${role}-${what}`;
  return (
    <fieldset className="settings-endpoint">
      <legend>{role}</legend>
      {!e ? <p className="muted">Not configured: fill in the server to use a {role} model.</p> : null}
      <div className="settings-grid">
        <label htmlFor={id('url')}>Base URL</label>
        <input id={id('url')} aria-label={`${role} base URL`} value={baseURL} placeholder="http://localhost:8000/v1" onChange={(ev) => setBaseURL(ev.target.value)} />
        <label htmlFor={id('model')}>Model</label>
        <input id={id('model')} aria-label={`${role} model`} value={model} placeholder="the name the server serves" onChange={(ev) => setModel(ev.target.value)} />
        <label htmlFor={id('key')}>API key</label>
        <select id={id('key')} aria-label={`${role} API key secret`} value={key} onChange={(ev) => setKey(ev.target.value)}>
          <option value="">No key</option>
          {e?.key.kind === 'literal' ? <option value={KEEP}>The key written in the config file</option> : null}
          {names.map((n) => (
            <option key={n} value={n}>
              secret {n}
              {secretNames.includes(n) ? '' : ' (not stored yet)'}
            </option>
          ))}
        </select>
      </div>
      <div className="buttons">
        <button type="button" onClick={() => void save()} disabled={busy !== undefined} aria-label={`Save the ${role} endpoint`}>
          {busy === 'save' ? 'Saving…' : 'Save'}
        </button>
        <button type="button" onClick={() => void check()} disabled={busy !== undefined || !baseURL} aria-label={`Check the ${role} endpoint`}>
          {busy === 'check' ? 'Checking…' : 'Check'}
        </button>
        {message ? (
          <span role={message.ok ? 'status' : 'alert'} className={message.ok ? 'settings-ok' : 'problem'}>
            {message.text}
          </span>
        ) : null}
      </div>
      {checks ? <CheckList label={`Check results (${role})`} checks={checks} /> : null}
    </fieldset>
  );
}
