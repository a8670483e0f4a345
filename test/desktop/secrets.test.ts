import { readdirSync, readFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineSetup } from '../../src/app/engine-setup.js';
import { createOcr } from '../../src/perception/ocr/index.js';
import { EncryptedFileSecretStore } from '../../src/storage/secrets/index.js';
import type { ModelServer, RecordedRequest } from '../fakes/model-server.js';
import { startAgent, type Agent } from './agent-harness.js';
import { desktopSupport } from './bed/index.js';

const SECRET = 'Tr0ub4dor-horse-staple';
const support = desktopSupport();

/**
 * A run that types a secret into a terminal that echoes it: afterwards the value is nowhere —
 * not in the database, the log, any stored screenshot's OCR text, or any request the model got.
 */
describe.skipIf(!support.ok)(`secrets stay secret${support.ok ? '' : ` (skipped: ${support.reason})`}`, () => {
  let agent: Agent;
  let model: ModelServer;
  let setup: EngineSetup;
  const logs = mkdtempSync(path.join(tmpdir(), 'deskpilot-secrets-log-'));
  const logFile = path.join(logs, 'deskpilot.log');
  let dataDir: string;
  let typed: string;

  beforeAll(async () => {
    agent = await startAgent({
      confirm: 'allow',
      logLevel: 'debug',
      logDestination: logFile,
      secrets: async (dir) => {
        const store = new EncryptedFileSecretStore(dir);
        await store.set('ACCESS_CODE', SECRET);
        return store;
      },
    });
    ({ model, setup } = agent);
    dataDir = agent.app.dataDir;
    typed = path.join(agent.work, 'typed.txt');
    // `cat` in a terminal echoes what is typed: the worst case for a secret.
    await agent.desktop.xterm(`echo "Enter the access code"; cat > ${typed}`, { title: 'login', geometry: '80x16+40+40' });
  });
  afterAll(async () => {
    await agent?.stop();
    rmSync(logs, { recursive: true, force: true });
  });

  it('types the value, and leaves it in no database, log, screenshot or model request', async () => {
    const decide = (action: object, summary: string) => ({ content: JSON.stringify({ thought: summary, action, summary }) });
    const decisions = [
      decide({ kind: 'click', target: { text: 'Enter the access code' } }, 'Focus the terminal'),
      decide({ kind: 'type', text: '{{secret:ACCESS_CODE}}\n' }, 'Type the code'),
      decide({ kind: 'done', summary: 'entered' }, 'Finish'),
    ];
    // Answer by agent: the reflection agent may be consulted when the cheap checks cannot tell.
    model.push(
      ...Array.from({ length: 12 }, () => (r: RecordedRequest) => {
        const body = JSON.stringify(r.body);
        if (body.includes('You plan desktop tasks')) return { content: '{"subtasks":["enter the code"]}' };
        if (body.includes('You check whether')) return { content: '{"verdict":"A","reason":"done"}' };
        return decisions.shift() ?? decide({ kind: 'done' }, 'Finish');
      }),
    );
    const result = await setup.engine.run({ source: setup.planner('enter the access code')!, title: 'login', kind: 'chat', control: setup.control });
    expect(result.error).toBeUndefined();
    await expect.poll(() => readFileSync(typed, 'utf8'), { timeout: 5000 }).toBe(`${SECRET}\n`); // it was typed

    const needle = (buf: Buffer | string) => Buffer.from(buf).includes(SECRET);
    for (const f of walk(dataDir)) expect(needle(readFileSync(f)), `found in ${f}`).toBe(false);
    expect(needle(readFileSync(logFile))).toBe(false);
    expect(readFileSync(logFile, 'utf8')).toMatch(/step|run/); // the log did get written
    for (const r of model.requests) expect(needle(JSON.stringify(r.body)), 'found in a model request').toBe(false);

    // The screen showed the value in clear; the stored screenshots must not, even to OCR.
    const ocr = createOcr();
    try {
      const shots = walk(path.join(dataDir, 'screenshots')).filter((f) => f.endsWith('.png'));
      // Before/after each step; one file where the screen did not change between two of them.
      expect(shots.length).toBeGreaterThan(1);
      for (const shot of shots) {
        const { data, info } = await sharp(shot).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
        const text = (await ocr.recognize({ width: info.width, height: info.height, data: new Uint8Array(data) })).lines.map((l) => l.text).join(' ');
        expect(text.replace(/\s/g, ''), `OCR of ${path.basename(shot)}`).not.toContain('horse-staple');
      }
    } finally {
      await ocr.dispose();
    }
  });
});

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}
