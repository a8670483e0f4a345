import { useState, type FormEvent } from 'react';
import type { DeskApi } from '../shared/ipc.js';
import { OutcomeNote } from './SettingsSaveBar.js';

/** Secrets by name: values go in and are never shown again; steps and keys refer to {{secret:NAME}}. */
export function SettingsSecrets({ api, store, names, onChange }: { api: DeskApi; store: string; names: string[]; onChange: () => Promise<void> }) {
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string }>();

  async function add(e: FormEvent) {
    e.preventDefault();
    const r = await api.invoke('secrets.set', { name: name.trim(), value });
    if (!r.ok) return setOutcome({ ok: false, text: r.error.message });
    setOutcome({ ok: true, text: `${name.trim()} saved.` });
    setName('');
    setValue('');
    await onChange();
  }

  async function remove(n: string) {
    const r = await api.invoke('secrets.delete', { name: n });
    setOutcome(r.ok ? { ok: true, text: r.value.removed ? `${n} deleted.` : `${n} was already gone.` } : { ok: false, text: r.error.message });
    await onChange();
  }

  return (
    <section aria-labelledby="settings-secrets-h">
      <h2 id="settings-secrets-h">Secrets</h2>
      <p className="muted">
        Kept in {store === 'os-keychain' ? 'the system keychain' : 'an encrypted file in the data folder'}. Use them as {'{{secret:NAME}}'} in steps, and as model API keys above. Values are never shown.
      </p>
      {names.length ? (
        <ul className="settings-secrets" aria-label="Stored secrets">
          {names.map((n) => (
            <li key={n}>
              <code>{n}</code>
              <button type="button" className="danger" onClick={() => void remove(n)} aria-label={`Delete the secret ${n}`}>
                Delete
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">No secrets stored.</p>
      )}
      <form className="settings-grid" onSubmit={(e) => void add(e)} aria-label="Add or replace a secret">
        <label htmlFor="settings-secret-name">Name</label>
        <input id="settings-secret-name" value={name} placeholder="OPENAI_KEY" autoComplete="off" onChange={(e) => setName(e.target.value)} />
        <label htmlFor="settings-secret-value">Value</label>
        <input id="settings-secret-value" type="password" value={value} autoComplete="new-password" onChange={(e) => setValue(e.target.value)} />
        <span />
        <div className="buttons">
          <button type="submit" disabled={!name.trim() || !value}>
            Save secret
          </button>
          <OutcomeNote outcome={outcome} />
        </div>
      </form>
    </section>
  );
}
