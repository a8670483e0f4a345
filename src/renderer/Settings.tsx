import { useEffect, useState } from 'react';
import type { CheckResultView, DeskApi, EndpointView, SettingsView } from '../shared/ipc.js';

function Endpoint({ role, e }: { role: string; e: EndpointView | null }) {
  return (
    <tr>
      <th scope="row">{role}</th>
      <td>{e ? e.baseURL : <span className="muted">not configured</span>}</td>
      <td>{e?.model ?? ''}</td>
      <td>{e ? (e.hasKey ? 'key set' : 'no key') : ''}</td>
    </tr>
  );
}

/** The configuration as the app runs with it, and a check of the model endpoints in plain words. */
export function Settings({ api, onChange }: { api: DeskApi; onChange: (s: SettingsView) => void }) {
  const [settings, setSettings] = useState<SettingsView>();
  const [checks, setChecks] = useState<CheckResultView[]>();
  const [checking, setChecking] = useState(false);
  const [problem, setProblem] = useState<string>();

  useEffect(() => {
    void api.invoke('settings.get', {}).then((r) => (r.ok ? (setSettings(r.value), onChange(r.value)) : setProblem(r.error.message)));
  }, [api, onChange]);

  async function check() {
    setChecking(true);
    setChecks(undefined);
    const r = await api.invoke('models.check', {});
    setChecking(false);
    if (r.ok) setChecks(r.value);
    else setProblem(r.error.message);
  }

  async function setDryRun(value: boolean) {
    const r = await api.invoke('settings.set', { key: 'ui.dryRun', value });
    if (!r.ok) return setProblem(r.error.message);
    if (settings) {
      const next = { ...settings, ui: { ...settings.ui, 'ui.dryRun': value } };
      setSettings(next);
      onChange(next);
    }
  }

  return (
    <section className="panel settings" aria-label="Settings">
      {problem ? <p role="alert" className="problem">{problem}</p> : null}
      <h2>Models</h2>
      <p className="muted">Set in the config file or the environment (DESKPILOT_MODEL_BASE_URL, DESKPILOT_MODEL); shown here read-only.</p>
      <table className="endpoints">
        <thead>
          <tr>
            <th scope="col">Role</th>
            <th scope="col">Endpoint</th>
            <th scope="col">Model</th>
            <th scope="col">Key</th>
          </tr>
        </thead>
        <tbody>
          <Endpoint role="planner" e={settings?.models.planner ?? null} />
          <Endpoint role="grounder" e={settings?.models.grounder ?? null} />
        </tbody>
      </table>
      <button type="button" onClick={() => void check()} disabled={checking} aria-label="Check the model endpoints">
        {checking ? 'Checking…' : 'Check'}
      </button>
      {checks ? (
        <ul className="checks" aria-label="Check results">
          {checks.map((c) => (
            <li key={c.name} className={`check-${c.status}`}>
              <strong>{c.status === 'ok' ? '✓' : c.status === 'fail' ? '✗' : '–'} {c.name}</strong>: {c.detail}
              {c.hint ? <div className="hint">What to do: {c.hint}</div> : null}
            </li>
          ))}
        </ul>
      ) : null}
      <h2>Running</h2>
      <dl>
        <dt>Grounding cascade</dt>
        <dd>{settings?.cascade.join(' → ')}</dd>
        <dt>Confirmation timeout</dt>
        <dd>{settings ? `${settings.confirmTimeoutMs / 1000} s (no answer means deny)` : ''}</dd>
        <dt>Data folder</dt>
        <dd>{settings?.dataDir}</dd>
        <dt>Display</dt>
        <dd>{settings?.display ?? 'default'}</dd>
      </dl>
      <label className="check">
        <input type="checkbox" checked={settings?.ui['ui.dryRun'] === true} onChange={(e) => void setDryRun(e.target.checked)} /> Start runs as dry runs by default
      </label>
    </section>
  );
}
