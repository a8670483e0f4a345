import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/app/context.js';
import type { EngineSetup } from '../../src/app/engine-setup.js';
import { ListStepSource } from '../../src/engine/sources.js';
import { REFLECTION_SYSTEM } from '../../src/planner/agent/prompts.js';
import { parseCommands } from '../../src/planner/commands/parse.js';
import type { ModelServer, RecordedRequest } from '../fakes/model-server.js';
import { startAgent, type Agent } from './agent-harness.js';
import { desktopSupport, serveFixtures, type BrowserApp, type Desktop } from './bed/index.js';

/**
 * The whole agent on a real virtual desktop: real capture, real OCR grounding, real input into
 * headed Chromium and xterm; direct commands with no model, and the planner with a scripted
 * OpenAI-compatible server over real HTTP. One desktop per file (nut-js holds one X display).
 */
const support = desktopSupport();
const pagesDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'pages');

describe.skipIf(!support.ok)(`the agent end to end${support.ok ? '' : ` (skipped: ${support.reason})`}`, () => {
  let agent: Agent;
  let desktop: Desktop;
  let pages: { url: string; close(): Promise<void> };
  let browser: BrowserApp;
  let model: ModelServer;
  let app: AppContext;
  let setup: EngineSetup;
  let work: string;
  let asked: string[];

  beforeAll(async () => {
    // The person at the screen allows what is asked; `asked` keeps what was asked.
    agent = await startAgent({ confirm: 'allow' });
    ({ desktop, model, app, setup, work, asked } = agent);
    pages = await serveFixtures(pagesDir);
  });
  afterAll(async () => {
    await browser?.close();
    await pages?.close();
    await agent?.stop();
  });

  const commands = (text: string) => new ListStepSource(parseCommands(text).map((c) => c.step));

  it('fills and submits a form in Chromium with direct commands and no model', async () => {
    browser = await desktop.chromium(new URL('form.html', pages.url).href, { x: 0, y: 0, width: 1280, height: 800 });
    const result = await setup.engine.run({
      source: commands('type "Ada Lovelace" into "Name"; type "ada@example.com" into "Email"; click "Subscribe"; click "Submit"; wait for "Submitted" 10s'),
      title: 'form',
      kind: 'command',
      control: setup.control,
    });
    expect(result.error).toBeUndefined();
    expect(result.status).toBe('succeeded');
    const submitted = await browser.page.evaluate(() => (window as unknown as { __submitted: unknown }).__submitted);
    expect(submitted).toMatchObject({ name: 'Ada Lovelace', email: 'ada@example.com', subscribe: true });
    const steps = (await app.store()).steps.listForRun(result.run.id);
    expect(steps.every((s) => s.beforeScreenshotId)).toBe(true);
    expect(steps[0]!.resolution).toMatchObject({ source: 'text', text: 'Name' });
    // "Subscribe" may cost money: the policy asked before clicking it, and only then.
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatch(/click "Subscribe".*pays or buys/);
  });

  it('does a task in xterm with the planner on a scripted model, and the file has the right content', async () => {
    const out = path.join(work, 'notes.txt');
    await desktop.xterm(`echo "Write the note below"; cat > ${out}`, { title: 'notes', geometry: '90x20+100+100' });
    const decide = (action: object, summary: string, expect?: string) => ({
      content: JSON.stringify({ thought: `I will ${summary.toLowerCase()}`, action, summary, ...(expect ? { expect } : {}), progress: summary }),
    });
    const script = [
      { content: JSON.stringify({ subtasks: ['focus the terminal', 'type the note', 'finish'] }) },
      decide({ kind: 'click', target: { text: 'Write the note below' } }, 'Focus the terminal'),
      decide({ kind: 'type', text: 'buy milk & eggs: 2x!\n' }, 'Type the note', 'buy milk'),
      decide({ kind: 'done', summary: 'the note is written' }, 'Finish'),
    ];
    // The click into the terminal that has the focus changes nothing the cheap checks can tell
    // from a repaint elsewhere on a busy desktop (another window): the reflection agent may be
    // asked about it, and says it worked. Every other reply follows the script.
    const reply = (r: RecordedRequest) => (isReflection(r) ? { content: '{"verdict":"A","reason":"the terminal has the focus"}' } : (script.shift() ?? { status: 500 }));
    model.push(...Array.from({ length: 8 }, () => reply));
    const planner = setup.planner('write "buy milk & eggs: 2x!" into the notes terminal');
    expect(planner).toBeDefined();
    const result = await setup.engine.run({ source: planner!, title: 'notes', kind: 'chat', control: setup.control });
    const chats = model.requests.filter((r) => r.path === '/v1/chat/completions');
    const reflections = chats.filter(isReflection);
    expect(result.error, reflections.map(textOf).join('\n---\n')).toBeUndefined();
    expect(result.status).toBe('succeeded');
    expect(script).toHaveLength(0);
    await expect.poll(() => readFileSync(out, 'utf8'), { timeout: 5000 }).toBe('buy milk & eggs: 2x!\n');
    // The typed text was read back from the terminal: no model was asked whether typing worked.
    expect(reflections.filter((r) => textOf(r).includes('Expected to see: buy milk'))).toEqual([]);
    expect(planner!.calls.reflection).toBe(reflections.length);

    const decisions = chats.filter((r) => !isReflection(r)).slice(1);
    expect(decisions).toHaveLength(3);
    for (const r of decisions) {
      const image = imageOf(r);
      expect(image, 'each decision carries the screenshot').toBeDefined();
      expect(image!.length * 0.75).toBeLessThan(1_500_000); // within the pixel budget, as JPEG
      expect(textOf(r)).toMatch(/untrusted data read from the screen[\s\S]*<<<SCREEN[\s\S]*Write the note below[\s\S]*SCREEN>>>/);
    }
  });
});

const isReflection = (r: RecordedRequest) => (r.body as Body).messages.find((m) => m.role === 'system')?.content === REFLECTION_SYSTEM;

type Body = { messages: Array<{ role: string; content: string | Array<{ type: string; text?: string; image_url?: { url: string } }> }> };
function imageOf(r: RecordedRequest): string | undefined {
  const user = (r.body as Body).messages.find((m) => m.role === 'user');
  const parts = Array.isArray(user?.content) ? user.content : [];
  return parts.find((p) => p.type === 'image_url')?.image_url?.url.replace(/^data:image\/\w+;base64,/, '');
}
function textOf(r: RecordedRequest): string {
  const user = (r.body as Body).messages.find((m) => m.role === 'user');
  return Array.isArray(user?.content) ? user.content.map((p) => p.text ?? '').join('\n') : String(user?.content ?? '');
}
