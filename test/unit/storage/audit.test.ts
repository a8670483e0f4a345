import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { DATABASE_FILE, openStore } from '../../../src/storage/index.js';
import { tempDirs } from './helpers.js';

const dirs = tempDirs();
afterEach(() => dirs.cleanup());

describe('audit log', () => {
  it('appends entries in order and lists them per run', () => {
    const dataDir = dirs.make();
    const store = openStore({ dataDir });
    const run = store.runs.create({ source: 'chat', title: 'pay the bill' });
    const a = store.audit.append({
      runId: run.id,
      stepIndex: 2,
      action: 'click "Pay"',
      decision: 'confirmed',
      actor: 'user',
      detail: { classes: ['payment'] },
    });
    const b = store.audit.append({
      runId: null,
      stepIndex: null,
      action: 'settings changed',
      decision: 'info',
      actor: 'user',
      detail: {},
    });
    expect(b.seq).toBeGreaterThan(a.seq);
    expect(store.audit.list().map((e) => e.action)).toEqual(['click "Pay"', 'settings changed']);
    expect(store.audit.list({ runId: run.id })).toEqual([a]);
    store.close();
  });

  it('refuses UPDATE and DELETE even from another connection, and the entry stays as written', () => {
    const dataDir = dirs.make();
    const store = openStore({ dataDir });
    const entry = store.audit.append({
      runId: null,
      stepIndex: null,
      action: 'type password',
      decision: 'denied',
      actor: 'policy',
      detail: { why: 'credentials' },
    });
    store.close();

    const raw = new Database(join(dataDir, DATABASE_FILE));
    expect(() => raw.prepare("UPDATE audit SET decision = 'allowed'").run()).toThrow(
      /append-only: UPDATE refused/,
    );
    expect(() => raw.prepare('DELETE FROM audit').run()).toThrow(/append-only: DELETE refused/);
    raw.close();

    const again = openStore({ dataDir });
    expect(again.audit.list()).toEqual([entry]);
    again.close();
  });
});
