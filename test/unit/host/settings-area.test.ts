import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAppContext, type AppContext } from '../../../src/app/context.js';
import { dispatch } from '../../../src/host/dispatch.js';
import { createDeskService, type DeskService } from '../../../src/host/service.js';
import { appWithSettings } from '../../../src/host/settings-config.js';

/** expect's asymmetric matchers, typed: they go inside object literals. */
const matching = (re: RegExp | string): unknown => expect.stringMatching(re);
const containing = (o: Record<string, unknown>): unknown => expect.objectContaining(o);

/**
 * The settings screen's handlers on a real store (SQLite in a temp data dir), a real secrets
 * file and a real HTTP model server: saves are validated by the config schema, kept, and seen
 * by the next run's config; "check" explains failures in plain words.
 */

let server: Server;
let serverUrl = '';
let deadUrl = '';
const seenKeys: string[] = [];

beforeAll(async () => {
  // A tiny OpenAI-compatible server: /v1/models wants "Bearer right-key" and serves "served-model".
  server = createServer((req, res) => {
    seenKeys.push(req.headers.authorization ?? '');
    if (req.url !== '/v1/models') return void res.writeHead(404).end();
    if (req.headers.authorization !== 'Bearer right-key') return void res.writeHead(401).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: [{ id: 'served-model' }] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  serverUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/v1`;
  const s = createNetServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  deadUrl = `http://127.0.0.1:${(s.address() as { port: number }).port}/v1`;
  await new Promise<void>((resolve) => s.close(() => resolve()));
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('the settings area', () => {
  let work: string;
  let app: AppContext;
  let service: DeskService;
  const call = (channel: string, input: unknown) => dispatch(service.handlers, channel, input);
  const value = async (channel: string, input: unknown) => {
    const r = await call(channel, input);
    if (!r.ok) throw new Error(`${channel}: ${r.error.message}`);
    return r.value as Record<string, unknown>;
  };

  beforeEach(() => {
    work = mkdtempSync(path.join(tmpdir(), 'deskpilot-settings-'));
    const configFile = path.join(work, 'config.yaml');
    writeFileSync(configFile, `models:\n  grounder:\n    baseURL: ${deadUrl}\n    model: from-file\n    apiKey: literal-file-key\n`);
    app = createAppContext({ configPath: configFile, env: {}, flags: { '--data-dir': path.join(work, 'data') }, defaults: { logLevel: 'silent' } });
    service = createDeskService(app, { keyboardHook: false });
  });
  afterEach(async () => {
    await service.dispose();
    await app.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  it('shows every role, keys by kind only, the cascade, the effective policy and the data dir', async () => {
    const v = await value('settings.config', {});
    expect(v['endpoints']).toEqual([
      { role: 'planner', endpoint: null },
      { role: 'grounder', endpoint: { baseURL: deadUrl, model: 'from-file', key: { kind: 'literal' }, timeoutMs: 60_000 } },
    ]);
    expect(JSON.stringify(v)).not.toContain('literal-file-key');
    expect(v['grounding']).toMatchObject({ cascade: ['text', 'icon', 'template', 'vlm'], templateThreshold: 0.7 });
    const safety = v['safety'] as { rules: Array<{ id: string; class: string }>; policyFile: null };
    expect(safety.rules.map((r) => r.class)).toEqual(expect.arrayContaining(['delete', 'send', 'pay']));
    expect(v['dataDir']).toBe(path.join(work, 'data'));
    expect(v['dataDirHow']).toMatch(/--data-dir flag.*restart DeskPilot/);
    expect(v['saved']).toEqual([]);
  });

  it('saves an endpoint with its key by secret name; the next run\'s config has it, the file\'s other values stay', async () => {
    const v = await value('settings.endpoint.save', { role: 'planner', baseURL: serverUrl, model: 'served-model', secretName: 'PLANNER_KEY' });
    expect(v['endpoints']).toContainEqual({ role: 'planner', endpoint: { baseURL: serverUrl, model: 'served-model', key: { kind: 'secret', name: 'PLANNER_KEY' }, timeoutMs: 60_000 } });
    expect(v['saved']).toEqual(['models.planner']);
    const next = await appWithSettings(app);
    expect(next.config.models.planner).toMatchObject({ baseURL: serverUrl, model: 'served-model', apiKey: '{{secret:PLANNER_KEY}}' });
    expect(next.config.models.grounder?.apiKey).toBe('literal-file-key');
    // The chat's settings view and the model check read the same effective config.
    expect(((await value('settings.get', {}))['models'] as { planner: unknown }).planner).toEqual({ baseURL: serverUrl, model: 'served-model', hasKey: true });

    // '' removes the key, absent keeps it.
    await value('settings.endpoint.save', { role: 'grounder', baseURL: deadUrl, model: 'other', secretName: '' });
    expect((await appWithSettings(app)).config.models.grounder).not.toHaveProperty('apiKey');
    await value('settings.endpoint.save', { role: 'planner', baseURL: serverUrl, model: 'renamed' });
    expect((await appWithSettings(app)).config.models.planner?.apiKey).toBe('{{secret:PLANNER_KEY}}');
  });

  it('refuses bad values with a message naming the field, and keeps nothing of them', async () => {
    const bad = await call('settings.endpoint.save', { role: 'planner', baseURL: 'localhost:8000', model: 'm' });
    expect(bad).toMatchObject({ ok: false, error: { message: matching(/models\.planner\.baseURL: "localhost:8000" must start with http:\/\/ or https:\/\//) } });
    expect(await call('settings.endpoint.save', { role: 'planner', baseURL: 'http://exa mple/v1', model: 'm' })).toMatchObject({ ok: false, error: { message: matching(/^settings: models\.planner\.baseURL: Invalid URL/) } });
    expect(await call('settings.endpoint.save', { role: 'navigator', baseURL: serverUrl, model: 'm' })).toMatchObject({ ok: false, error: { message: matching(/models\.navigator: not a model role \(known: planner, grounder/) } });
    expect(await call('settings.grounding.save', { cascade: ['text', 'ocr'], templateThreshold: 0.5, minConfidence: 0.5 })).toMatchObject({ ok: false, error: { message: matching(/grounding\.cascade\[1\]/) } });
    expect(await call('settings.grounding.save', { cascade: ['text', 'text'], templateThreshold: 0.5, minConfidence: 0.5 })).toMatchObject({ ok: false, error: { message: matching(/grounding\.cascade: "text" is listed twice/) } });
    expect(await call('settings.grounding.save', { cascade: ['text'], templateThreshold: 1.5, minConfidence: 0.5 })).toMatchObject({ ok: false, error: { message: matching(/grounding\.templateThreshold/) } });
    expect(await call('settings.safety.save', { allowApps: [], confirmTimeoutMs: -5, policyFile: '' })).toMatchObject({ ok: false, error: { message: matching(/safety\.confirmTimeoutMs/) } });
    expect(await call('settings.safety.save', { allowApps: [], confirmTimeoutMs: 1000, policyFile: path.join(work, 'missing.yaml') })).toMatchObject({ ok: false, error: { message: matching(/safety\.policyFile: cannot read .*missing\.yaml \(ENOENT\)/) } });
    expect(await call('secrets.set', { name: '1bad name', value: 'x' })).toMatchObject({ ok: false, error: { code: 'IPC_BAD_INPUT', message: matching(/name: use letters/) } });
    expect((await value('settings.config', {}))['saved']).toEqual([]);
  });

  it('saves the cascade and the safety settings, and resets a section to the config file', async () => {
    const policy = path.join(work, 'policy.yaml');
    writeFileSync(policy, 'version: 1\nrules:\n  - id: no-shutdown\n    class: system_settings\n    says: shuts the computer down\n    action: deny\n    kinds: [click]\n    target_words: [shut down]\n');
    await value('settings.grounding.save', { cascade: ['vlm', 'text'], templateThreshold: 0.8, minConfidence: 0.4 });
    const v = await value('settings.safety.save', { allowApps: ['xterm', 'gedit'], confirmTimeoutMs: 30_000, policyFile: policy });
    const safety = v['safety'] as { rules: Array<{ id: string; action: string }>; allowApps: string[]; policyFile: string };
    expect(safety.rules).toContainEqual(containing({ id: 'no-shutdown', action: 'deny' }));
    expect(safety).toMatchObject({ allowApps: ['xterm', 'gedit'], policyFile: policy });
    expect(v['saved']).toEqual(['grounding.cascade', 'grounding.templateThreshold', 'grounding.minConfidence', 'safety.allowApps', 'safety.confirmTimeoutMs', 'safety.policyFile']);
    const next = (await appWithSettings(app)).config;
    expect(next.grounding).toMatchObject({ cascade: ['vlm', 'text'], templateThreshold: 0.8, minConfidence: 0.4 });
    expect(next.safety).toMatchObject({ allowApps: ['xterm', 'gedit'], confirmTimeoutMs: 30_000, policyFile: policy });

    const reset = await value('settings.reset', { section: 'grounding' });
    expect(reset['grounding']).toMatchObject({ cascade: ['text', 'icon', 'template', 'vlm'] });
    expect((await appWithSettings(app)).config.safety.allowApps).toEqual(['xterm', 'gedit']);
  });

  it('saved settings that no longer validate stop the run with the key named, and the screen says so', async () => {
    (await app.store()).settings.set('config.overrides', { grounding: { cascade: ['ocr'] } });
    await expect(appWithSettings(app)).rejects.toThrow(/grounding\.cascade\[0\]: .*\(saved in the app's Settings: fix or reset it there\)/);
    const v = await value('settings.config', {});
    expect(v['savedProblem']).toMatch(/grounding\.cascade\[0\].*ignored until fixed or reset/);
    expect(v['grounding']).toMatchObject({ cascade: ['text', 'icon', 'template', 'vlm'] });
    await value('settings.reset', { section: 'grounding' });
    expect((await appWithSettings(app)).config.grounding.cascade).toEqual(['text', 'icon', 'template', 'vlm']);
  });

  it('keeps secrets by name: the value is write-only, and a checked endpoint uses it', async () => {
    await value('secrets.set', { name: 'PLANNER_KEY', value: 'right-key' });
    await value('secrets.set', { name: 'OTHER', value: 'x' });
    const listed = await value('secrets.list', {});
    expect(listed['names']).toEqual(['OTHER', 'PLANNER_KEY']);
    expect(JSON.stringify(listed)).not.toContain('right-key');

    seenKeys.length = 0;
    const checked = (await value('settings.endpoint.check', { role: 'planner', baseURL: serverUrl, model: 'served-model', secretName: 'PLANNER_KEY' })) as unknown as Array<{ name: string; status: string }>;
    expect(checked[0]).toMatchObject({ name: 'model endpoint (planner)', status: 'ok' });
    expect(checked.find((c) => c.name === 'model name (planner)')).toMatchObject({ status: 'ok' });
    expect(seenKeys).toContain('Bearer right-key');
    // Saved, the app's model check sends the key from the same store.
    await value('settings.endpoint.save', { role: 'planner', baseURL: serverUrl, model: 'served-model', secretName: 'PLANNER_KEY' });
    const all = (await value('models.check', {})) as unknown as Array<{ name: string; status: string }>;
    expect(all.find((c) => c.name === 'model endpoint (planner)')).toMatchObject({ status: 'ok' });

    expect(await value('secrets.delete', { name: 'OTHER' })).toEqual({ removed: true });
    expect(await value('secrets.delete', { name: 'OTHER' })).toEqual({ removed: false });
    expect((await value('secrets.list', {}))['names']).toEqual(['PLANNER_KEY']);
  });

  it('"check" explains a refused connection, a rejected key, an unknown model and a missing secret in plain words', async () => {
    const check = async (d: Record<string, unknown>) => (await value('settings.endpoint.check', { role: 'planner', ...d })) as unknown as Array<{ name: string; status: string; detail: string; hint?: string }>;
    const refused = await check({ baseURL: deadUrl, model: 'm' });
    expect(refused).toEqual([containing({ status: 'fail', detail: matching(/ECONNREFUSED/), hint: matching(/connection refused: is the model server running/) })]);
    await value('secrets.set', { name: 'WRONG', value: 'wrong-key' });
    const rejected = await check({ baseURL: serverUrl, model: 'served-model', secretName: 'WRONG' });
    expect(rejected[0]).toMatchObject({ status: 'fail', detail: matching(/401/), hint: matching(/valid API key/) });
    await value('secrets.set', { name: 'RIGHT', value: 'right-key' });
    const unknown = await check({ baseURL: serverUrl, model: 'no-such-model', secretName: 'RIGHT' });
    expect(unknown.find((c) => c.name === 'model name (planner)')).toMatchObject({ status: 'fail', detail: matching(/"no-such-model" is not among the served models: served-model/) });
    const missing = await check({ baseURL: serverUrl, model: 'm', secretName: 'NOT_STORED' });
    expect(missing).toEqual([containing({ status: 'fail', detail: 'no secret named NOT_STORED is stored' })]);
    const badUrl = await call('settings.endpoint.check', { role: 'planner', baseURL: 'not a url', model: 'm' });
    expect(badUrl).toMatchObject({ ok: false, error: { message: matching(/models\.planner\.baseURL/) } });
  });
});
