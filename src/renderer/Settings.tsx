import { useCallback, useEffect, useState } from 'react';
import type { CheckResultView, DeskApi, SettingsView } from '../shared/ipc.js';
import type { SettingsConfigView } from '../shared/ipc-settings.js';
import { CheckList, SettingsEndpoint } from './SettingsEndpoint.js';
import { SettingsGrounding } from './SettingsGrounding.js';
import { SettingsSafety } from './SettingsSafety.js';
import { SettingsSecrets } from './SettingsSecrets.js';

/**
 * The settings the app runs with: model endpoints per role with a check that explains failures,
 * the grounding cascade, the safety policy, secrets by name and the data folder. What is saved
 * here is kept in the data folder and used from the next run, over the config file's values.
 */
export function Settings({ api, onChange }: { api: DeskApi; onChange: (s: SettingsView) => void }) {
  const [settings, setSettings] = useState<SettingsView>();
  const [config, setConfig] = useState<SettingsConfigView>();
  const [secrets, setSecrets] = useState<{ store: string; names: string[] }>({ store: '', names: [] });
  const [checks, setChecks] = useState<CheckResultView[]>();
  const [checking, setChecking] = useState(false);
  const [problem, setProblem] = useState<string>();
  /** Bumped when the saved endpoints are forgotten: the forms start again from the config file. */
  const [resets, setResets] = useState(0);

  const loadSettings = useCallback(async () => {
    const r = await api.invoke('settings.get', {});
    if (r.ok) {
      setSettings(r.value);
      onChange(r.value);
    } else setProblem(r.error.message);
  }, [api, onChange]);

  const loadSecrets = useCallback(async () => {
    const r = await api.invoke('secrets.list', {});
    if (r.ok) setSecrets(r.value);
    else setProblem(r.error.message);
  }, [api]);

  useEffect(() => {
    void loadSettings();
    void loadSecrets();
    void api.invoke('settings.config', {}).then((r) => (r.ok ? setConfig(r.value) : setProblem(r.error.message)));
  }, [api, loadSettings, loadSecrets]);

  const saved = useCallback(
    (v: SettingsConfigView) => {
      setConfig(v);
      void loadSettings();
    },
    [loadSettings],
  );

  async function resetModels() {
    const r = await api.invoke('settings.reset', { section: 'models' });
    if (!r.ok) return setProblem(r.error.message);
    saved(r.value);
    setResets((n) => n + 1);
  }

  async function checkAll() {
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
      {problem ? (
        <p role="alert" className="problem">
          {problem}
        </p>
      ) : null}
      {config ? (
        <p className="muted settings-source">
          What you save here is used from the app’s next run, over {config.configFileFound ? 'the config file' : 'the defaults (there is no config file yet at)'} <code>{config.configFile}</code>; the command line (deskpilot run) reads only the config file.
          {config.saved.length ? ` Saved here: ${config.saved.join(', ')}.` : ''}
        </p>
      ) : null}
      {config?.savedProblem ? (
        <p role="alert" className="problem">
          {config.savedProblem}
        </p>
      ) : null}
      <section aria-labelledby="settings-models-h">
        <div className="row">
          <h2 id="settings-models-h">Models</h2>
          <div className="buttons">
            <button type="button" onClick={() => void checkAll()} disabled={checking} aria-label="Check the model endpoints">
              {checking ? 'Checking…' : 'Check all saved'}
            </button>
            <button type="button" onClick={() => void resetModels()} disabled={!config?.saved.some((k) => k.startsWith('models.'))} aria-label="Reset the model endpoints to the config file">
              Use the config file’s endpoints
            </button>
          </div>
        </div>
        {checks ? <CheckList label="Check results" checks={checks} /> : null}
        {config?.endpoints.map((e) => <SettingsEndpoint key={`${e.role}-${resets}`} api={api} view={e} secretNames={secrets.names} onSaved={saved} />)}
      </section>
      {config ? <SettingsGrounding api={api} view={config.grounding} onSaved={saved} /> : null}
      {config ? <SettingsSafety api={api} view={config.safety} onSaved={saved} /> : null}
      <SettingsSecrets api={api} store={secrets.store} names={secrets.names} onChange={loadSecrets} />
      <section aria-labelledby="settings-data-h">
        <h2 id="settings-data-h">Data folder</h2>
        <p>
          <code>{config?.dataDir ?? settings?.dataDir}</code>
        </p>
        <p className="muted">{config?.dataDirHow}</p>
        <h2>Running</h2>
        <dl>
          <dt>Display</dt>
          <dd>{settings?.display ?? 'default'}</dd>
        </dl>
        <label className="check">
          <input type="checkbox" checked={settings?.ui['ui.dryRun'] === true} onChange={(e) => void setDryRun(e.target.checked)} /> Start runs as dry runs by default
        </label>
      </section>
    </section>
  );
}
