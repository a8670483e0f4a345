import { useState } from 'react';
import type { DeskApi } from '../shared/ipc.js';
import type { SettingsConfigView } from '../shared/ipc-settings.js';
import { SaveBar, type Outcome } from './SettingsSaveBar.js';

/** The safety policy: the rules in force (default + policy file), the allowed apps and the confirmation timeout. */
export function SettingsSafety({ api, view, onSaved }: { api: DeskApi; view: SettingsConfigView['safety']; onSaved: (v: SettingsConfigView) => void }) {
  const [apps, setApps] = useState(view.allowApps.join(', '));
  const [timeoutS, setTimeoutS] = useState(String(view.confirmTimeoutMs / 1000));
  const [policyFile, setPolicyFile] = useState(view.policyFile ?? '');
  const [outcome, setOutcome] = useState<Outcome>();

  function reload(v: SettingsConfigView) {
    setApps(v.safety.allowApps.join(', '));
    setTimeoutS(String(v.safety.confirmTimeoutMs / 1000));
    setPolicyFile(v.safety.policyFile ?? '');
    onSaved(v);
  }

  async function save() {
    const allowApps = apps
      .split(/[,\n]/)
      .map((a) => a.trim())
      .filter(Boolean);
    const r = await api.invoke('settings.safety.save', { allowApps, confirmTimeoutMs: Math.round(Number(timeoutS) * 1000), policyFile });
    setOutcome(r.ok ? { ok: true, text: 'Saved: used from the next run.' } : { ok: false, text: r.error.message });
    if (r.ok) reload(r.value);
  }

  async function reset() {
    const r = await api.invoke('settings.reset', { section: 'safety' });
    setOutcome(r.ok ? { ok: true, text: 'Back to the config file’s values.' } : { ok: false, text: r.error.message });
    if (r.ok) reload(r.value);
  }

  return (
    <section aria-labelledby="settings-safety-h">
      <h2 id="settings-safety-h">Safety</h2>
      <div className="settings-grid">
        <label htmlFor="settings-allow-apps">Allowed apps</label>
        <input id="settings-allow-apps" value={apps} placeholder="any app (e.g. firefox, gedit)" onChange={(e) => setApps(e.target.value)} />
        <label htmlFor="settings-confirm-timeout">Confirmation timeout (seconds; no answer means deny)</label>
        <input id="settings-confirm-timeout" type="number" min="1" value={timeoutS} onChange={(e) => setTimeoutS(e.target.value)} />
        <label htmlFor="settings-policy-file">Policy file (YAML, extends the default rules)</label>
        <input id="settings-policy-file" value={policyFile} placeholder="none" onChange={(e) => setPolicyFile(e.target.value)} />
      </div>
      <SaveBar what="safety" onSave={save} onReset={reset} outcome={outcome} />
      {view.policyError ? (
        <p role="alert" className="problem">
          The policy file does not load, so runs will not start: {view.policyError}
        </p>
      ) : null}
      <table className="settings-rules" aria-label="Policy rules in force">
        <thead>
          <tr>
            <th scope="col">Rule</th>
            <th scope="col">When a step</th>
            <th scope="col">Steps</th>
            <th scope="col">Then</th>
          </tr>
        </thead>
        <tbody>
          {view.rules.map((r) => (
            <tr key={r.id}>
              <th scope="row">{r.id}</th>
              <td>{r.says}</td>
              <td>{r.kinds.join(', ')}</td>
              <td className={`settings-action-${r.action}`}>{r.action === 'confirm' ? 'ask first' : r.action}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
