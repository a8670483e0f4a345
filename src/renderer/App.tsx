import { useCallback, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { SettingsView } from '../shared/ipc.js';
import { Chat } from './Chat.js';
import { createClient } from './client.js';
import { History } from './History.js';
import { Macros } from './Macros.js';
import { Settings } from './Settings.js';
import { TestRuns } from './TestRuns.js';

const TABS = [
  { id: 'chat', label: 'Chat' },
  { id: 'macros', label: 'Macros' },
  { id: 'tests', label: 'Test runs' },
  { id: 'history', label: 'History' },
  { id: 'settings', label: 'Settings' },
] as const;
type Tab = (typeof TABS)[number]['id'];

export function App() {
  const api = useMemo(() => createClient(), []);
  const [tab, setTab] = useState<Tab>('chat');
  const [dryRunDefault, setDryRunDefault] = useState(false);
  const refs = useRef<Array<HTMLButtonElement | null>>([]);
  const onSettings = useCallback((s: SettingsView) => setDryRunDefault(s.ui['ui.dryRun'] === true), []);

  // Arrow keys move between tabs, as in any tab list.
  function onKey(e: KeyboardEvent<HTMLDivElement>) {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
    const i = TABS.findIndex((t) => t.id === tab);
    const next = (i + (e.key === 'ArrowRight' ? 1 : TABS.length - 1)) % TABS.length;
    setTab(TABS[next]!.id);
    refs.current[next]?.focus();
  }

  // A plain function, not a component: a component defined here would remount every panel per render.
  function panel(id: Tab) {
    switch (id) {
      case 'chat':
        return <Chat api={api} dryRunDefault={dryRunDefault} />;
      case 'macros':
        return <Macros api={api} />;
      case 'tests':
        return <TestRuns api={api} />;
      case 'history':
        return <History api={api} />;
      case 'settings':
        return <Settings api={api} onChange={onSettings} />;
    }
  }

  return (
    <div className="app">
      <header>
        <h1>DeskPilot</h1>
        <div role="tablist" aria-label="Sections" onKeyDown={onKey}>
          {TABS.map((t, i) => (
            <button
              key={t.id}
              ref={(el) => {
                refs.current[i] = el;
              }}
              role="tab"
              id={`tab-${t.id}`}
              aria-selected={tab === t.id}
              aria-controls={`panel-${t.id}`}
              tabIndex={tab === t.id ? 0 : -1}
              onClick={() => setTab(t.id)}
            >
              {t.label}
            </button>
          ))}
        </div>
      </header>
      {/* Panels stay mounted so a running chat keeps its events while another tab is open. */}
      {TABS.map((t) => (
        <main key={t.id} role="tabpanel" id={`panel-${t.id}`} aria-labelledby={`tab-${t.id}`} hidden={tab !== t.id}>
          {panel(t.id)}
        </main>
      ))}
    </div>
  );
}
