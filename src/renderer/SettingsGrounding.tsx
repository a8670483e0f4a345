import { useState } from 'react';
import type { DeskApi } from '../shared/ipc.js';
import type { SettingsConfigView } from '../shared/ipc-settings.js';
import { SaveBar, type Outcome } from './SettingsSaveBar.js';

const RUNG_WORDS: Record<string, string> = {
  text: 'OCR text on screen',
  icon: 'common icons by their look (close, gear, search, …)',
  template: 'a saved picture of the target',
  vlm: 'the grounder model endpoint (slowest, understands descriptions)',
  'vlm-local': 'a local vision-language model folder (models/README.md)',
};

/** The grounding cascade: which rungs try to find a target, in what order, and when a cheap rung's answer is trusted. */
export function SettingsGrounding({ api, view, onSaved }: { api: DeskApi; view: SettingsConfigView['grounding']; onSaved: (v: SettingsConfigView) => void }) {
  const [cascade, setCascade] = useState(view.cascade);
  const [templateThreshold, setTemplate] = useState(String(view.templateThreshold));
  const [minConfidence, setMin] = useState(String(view.minConfidence));
  const [outcome, setOutcome] = useState<Outcome>();
  const unused = view.rungs.filter((r) => !cascade.includes(r));

  function move(i: number, by: -1 | 1) {
    const next = [...cascade];
    const [r] = next.splice(i, 1);
    next.splice(i + by, 0, r!);
    setCascade(next);
  }

  function reload(v: SettingsConfigView) {
    setCascade(v.grounding.cascade);
    setTemplate(String(v.grounding.templateThreshold));
    setMin(String(v.grounding.minConfidence));
    onSaved(v);
  }

  async function save() {
    const r = await api.invoke('settings.grounding.save', { cascade, templateThreshold: Number(templateThreshold), minConfidence: Number(minConfidence) });
    setOutcome(r.ok ? { ok: true, text: 'Saved: used from the next run.' } : { ok: false, text: r.error.message });
    if (r.ok) reload(r.value);
  }

  async function reset() {
    const r = await api.invoke('settings.reset', { section: 'grounding' });
    setOutcome(r.ok ? { ok: true, text: 'Back to the config file’s values.' } : { ok: false, text: r.error.message });
    if (r.ok) reload(r.value);
  }

  return (
    <section aria-labelledby="settings-grounding-h">
      <h2 id="settings-grounding-h">Grounding cascade</h2>
      <p className="muted">How a target is found on screen: each rung in turn until one is sure enough.</p>
      <ol className="settings-cascade" aria-label="Cascade order">
        {cascade.map((r, i) => (
          <li key={r}>
            <span className="settings-rung">
              <strong>{r}</strong> <span className="muted">{RUNG_WORDS[r] ?? ''}</span>
            </span>
            <button type="button" onClick={() => move(i, -1)} disabled={i === 0} aria-label={`Move ${r} up`}>
              ↑
            </button>
            <button type="button" onClick={() => move(i, 1)} disabled={i === cascade.length - 1} aria-label={`Move ${r} down`}>
              ↓
            </button>
            <button type="button" onClick={() => setCascade(cascade.filter((x) => x !== r))} disabled={cascade.length === 1} aria-label={`Remove ${r}`}>
              Remove
            </button>
          </li>
        ))}
      </ol>
      {unused.length ? (
        <div className="buttons">
          {unused.map((r) => (
            <button key={r} type="button" onClick={() => setCascade([...cascade, r])} aria-label={`Add ${r}`}>
              + {r}
            </button>
          ))}
        </div>
      ) : null}
      <div className="settings-grid">
        <label htmlFor="settings-min-confidence">Minimum confidence (0–1)</label>
        <input id="settings-min-confidence" type="number" step="0.05" min="0" max="1" value={minConfidence} onChange={(e) => setMin(e.target.value)} />
        <label htmlFor="settings-template-threshold">Template match threshold (0–1)</label>
        <input id="settings-template-threshold" type="number" step="0.05" min="0" max="1" value={templateThreshold} onChange={(e) => setTemplate(e.target.value)} />
      </div>
      <SaveBar what="grounding" onSave={save} onReset={reset} outcome={outcome} />
    </section>
  );
}
