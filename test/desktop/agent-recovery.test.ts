import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/app/context.js';
import type { EngineSetup } from '../../src/app/engine-setup.js';
import { OpenAiModelClient } from '../../src/planner/model/client.js';
import { startModelServer, type ModelServer, type RecordedRequest } from '../fakes/model-server.js';
import { startAgent, type Agent } from './agent-harness.js';
import { desktopSupport, repainted, serveFixtures, type BrowserApp, type Desktop } from './bed/index.js';

/**
 * The planner on a real virtual desktop when things go wrong: a wrong page (reflection B), a
 * stuck run, and a broken model endpoint. Its own file: nut-js holds one X display per process.
 */
const support = desktopSupport();
const pagesDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'pages');

describe.skipIf(!support.ok)(`the planner recovers, gets stuck, and fails cleanly${support.ok ? '' : ` (skipped: ${support.reason})`}`, () => {
  let agent: Agent;
  let desktop: Desktop;
  let pages: { url: string; close(): Promise<void> };
  let browser: BrowserApp;
  let model: ModelServer;
  let app: AppContext;
  let setup: EngineSetup;

  beforeAll(async () => {
    agent = await startAgent({ confirm: 'deny' });
    ({ desktop, model, app, setup } = agent);
    pages = await serveFixtures(pagesDir);
    browser = await desktop.chromium(new URL('shop.html', pages.url).href, { x: 0, y: 0, width: 1280, height: 800 });
  });
  afterAll(async () => {
    await browser?.close();
    await pages?.close();
    await agent?.stop();
  });

  const plan = (...subtasks: string[]) => ({ content: JSON.stringify({ subtasks }) });
  const decide = (action: object, summary: string, expect?: string) => ({ content: JSON.stringify({ thought: summary, action, summary, ...(expect ? { expect } : {}) }) });
  const home = async () => {
    await browser.page.evaluate(() => (location.hash = ''));
    await browser.page.waitForFunction(() => document.getElementById('home')!.classList.contains('on'));
    await repainted(browser.page);
  };

  /** Which agent a request is from, by its system prompt. */
  const agentOf = (r: RecordedRequest): 'reflection' | 'manager' | 'decision' => {
    const body = JSON.stringify(r.body);
    return body.includes('You check whether') ? 'reflection' : body.includes('You plan desktop tasks') ? 'manager' : 'decision';
  };

  it('reflection B: a wrong click opens the wrong page, the agent goes back and finishes', async () => {
    await home();
    model.clear();
    // Each agent answers from its own script. The reflection agent is asked when its deterministic
    // check cannot tell (the expected text was not read on the screen): always after the wrong
    // click, and on a loaded machine sometimes after a right one too (the page not yet repainted
    // in the frame after the step); then it sees the step did what was intended (A).
    const decisions = [
      decide({ kind: 'click', target: { text: 'Offers' } }, 'Open the orders section', 'Orders overview'),
      decide({ kind: 'key', keys: 'alt+left' }, 'Go back', 'Welcome back'),
      decide({ kind: 'click', target: { text: 'Orders' } }, 'Open the orders section', 'Orders overview'),
      decide({ kind: 'click', target: { text: 'Export' } }, 'Export the orders', 'Exported'),
      decide({ kind: 'done', summary: 'orders exported' }, 'Finish'),
    ];
    const verdicts = [{ content: JSON.stringify({ verdict: 'B', reason: 'the offers page opened instead of the orders' }) }];
    const asAgent = (r: RecordedRequest) => {
      const who = agentOf(r);
      if (who === 'manager') return plan('open the orders', 'export them');
      if (who === 'reflection') return verdicts.shift() ?? { content: JSON.stringify({ verdict: 'A', reason: 'the step did what was intended' }) };
      return decisions.shift() ?? { status: 500 };
    };
    model.push(...Array.from({ length: 16 }, () => asAgent));
    const firstRequest = model.requests.length;
    const planner = setup.planner('export the open orders')!;
    const result = await setup.engine.run({ source: planner, title: 'export', kind: 'chat', control: setup.control });
    model.clear();
    expect(result.error).toBeUndefined();
    expect(await browser.page.evaluate(() => (window as unknown as { __exported: boolean }).__exported)).toBe(true);
    expect(decisions).toHaveLength(0);
    expect(verdicts).toHaveLength(0);
    expect(planner.calls.reflection).toBeGreaterThanOrEqual(1);
    // The reflection after the wrong click said B; the next decision is told to go back.
    const requests = model.requests.slice(firstRequest).filter((r) => r.path === '/v1/chat/completions');
    const firstReflection = requests.findIndex((r) => agentOf(r) === 'reflection');
    expect(requests.slice(0, firstReflection).filter((r) => agentOf(r) === 'decision')).toHaveLength(1);
    const afterReflection = requests.slice(firstReflection).find((r) => agentOf(r) === 'decision')!;
    expect(textOf(afterReflection)).toMatch(/ATTENTION: the last operation \(Open the orders section\) led to a wrong page/);
    expect(result.steps.map((s) => s.step.kind)).toEqual(['click', 'key', 'click', 'click', 'done']);
  });

  it('a stuck run ends by asking the person, with its history kept', async () => {
    await home();
    // The text is not selectable in the page: repeated clicks on it come fast enough to count as
    // double clicks, and a word selection would be a real change at the target (not "no effect").
    const poke = decide({ kind: 'click', target: { text: 'Nothing happens here' } }, 'Click the text');
    // Which agent is asking decides the answer: the screen may show unrelated changes (Chromium's
    // link preview bubble), and then the reflection agent is asked too; it sees no effect (C).
    const reply = (r: RecordedRequest) => (agentOf(r) === 'reflection' ? { content: '{"verdict":"C","reason":"nothing happened"}' } : agentOf(r) === 'manager' ? plan('poke') : poke);
    model.clear();
    model.push(...Array.from({ length: 16 }, () => reply));
    const stuckPlanner = setup.planner('make something happen')!;
    const result = await setup.engine.run({ source: stuckPlanner, title: 'stuck', kind: 'chat', control: setup.control });
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('NEEDS_USER');
    expect(result.error?.message).toMatch(/stuck.*take over/);
    const stored = (await app.store()).runs.get(result.run.id)!;
    expect(stored.status).toBe('failed');
    model.clear();
    // No effect twice -> replan; no effect twice again -> hand over (more clicks when the
    // reflection agent was consulted in between).
    expect((await app.store()).steps.listForRun(result.run.id).filter((s) => s.step.kind === 'click').length).toBeGreaterThanOrEqual(4);
    expect(stuckPlanner.calls.manager).toBe(2); // replanned once before handing over
  });

  it.each([
    ['a dead endpoint', 'MODEL_UNREACHABLE', async () => ({ baseURL: await deadUrl(), timeoutMs: 5000 })],
    ['HTTP 500', 'MODEL_HTTP', () => (model.push({ status: 500 }), { baseURL: model.baseURL, timeoutMs: 5000 })],
    ['a timeout', 'MODEL_TIMEOUT', () => (model.push({ hangMs: 3000 }), { baseURL: model.baseURL, timeoutMs: 400 })],
    ['garbage JSON', 'MODEL_BAD_OUTPUT', () => (model.push(plan('x'), { content: 'I think {"action": oops' }, { content: 'still not json' }), { baseURL: model.baseURL, timeoutMs: 5000 })],
  ])('%s ends the run with a clear status and keeps its history', async (_label, code, endpoint) => {
    const { baseURL, timeoutMs } = await endpoint();
    const client = new OpenAiModelClient({ endpoints: { planner: { baseURL, model: 'scripted-vl', timeoutMs, maxRetries: 0 } } });
    const result = await setup.engine.run({ source: setup.plannerWith('do the thing', client), title: `broken ${code}`, kind: 'chat', control: setup.control });
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe(code);
    const stored = (await app.store()).runs.get(result.run.id)!;
    expect(stored).toMatchObject({ status: 'failed', error: { code } });
  });
});

async function deadUrl(): Promise<string> {
  const s = await startModelServer();
  await s.close();
  return s.baseURL;
}

type Body = { messages: Array<{ role: string; content: string | Array<{ type: string; text?: string; image_url?: { url: string } }> }> };
function textOf(r: RecordedRequest): string {
  const user = (r.body as Body).messages.find((m) => m.role === 'user');
  return Array.isArray(user?.content) ? user.content.map((p) => p.text ?? '').join('\n') : String(user?.content ?? '');
}
