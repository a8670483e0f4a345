import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/app/logger.js';

let dir: string;
let file: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'deskpilot-log-'));
  file = path.join(dir, 'logs', 'deskpilot.log');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function entries(): Array<Record<string, unknown>> {
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('createLogger', () => {
  it('writes JSON lines to a file destination, honouring the level', () => {
    const log = createLogger({ level: 'info', destination: file });
    log.debug({ n: 1 }, 'hidden');
    log.info({ n: 2 }, 'shown');
    const all = entries();
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ level: 'info', n: 2, msg: 'shown' });
  });

  it('redacts API keys and typed text by key, at the top and nested', () => {
    const log = createLogger({ level: 'info', destination: file });
    log.info({ apiKey: 'sk-top-level', endpoint: { baseURL: 'http://x/v1', apiKey: 'sk-nested' } }, 'model');
    log
      .child({ runId: 'r1' })
      .info(
        { step: { kind: 'type', text: 'my diary entry' }, headers: { authorization: 'Bearer abc' } },
        'step',
      );
    const raw = readFileSync(file, 'utf8');
    for (const secret of ['sk-top-level', 'sk-nested', 'my diary entry', 'Bearer abc'])
      expect(raw).not.toContain(secret);
    const [model, step] = entries();
    expect(model).toMatchObject({
      apiKey: '[redacted]',
      endpoint: { baseURL: 'http://x/v1', apiKey: '[redacted]' },
    });
    expect(step).toMatchObject({ runId: 'r1', step: { kind: 'type', text: '[redacted]' } });
  });

  it('masks known secret values inside any string: messages, fields, errors, bindings', () => {
    const secrets = new Set<string>();
    const log = createLogger({ level: 'info', destination: file, secrets: () => secrets });
    // Resolved after the logger was made: still masked.
    secrets.add('hunter2-password');
    log
      .child({ note: 'login hunter2-password' })
      .info(
        {
          detail: 'typed hunter2-password into the field',
          err: new Error('login failed for hunter2-password'),
        },
        'used hunter2-password',
      );
    const raw = readFileSync(file, 'utf8');
    expect(raw).not.toContain('hunter2-password');
    const [e] = entries();
    expect(e).toMatchObject({
      msg: 'used [redacted]',
      detail: 'typed [redacted] into the field',
      note: 'login [redacted]',
    });
    expect(e?.['err']).toMatchObject({ type: 'Error', message: 'login failed for [redacted]' });
  });
});
