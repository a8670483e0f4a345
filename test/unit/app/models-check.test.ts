import { afterEach, describe, expect, it } from 'vitest';
import { checkModels } from '../../../src/app/models-check.js';
import { Config } from '../../../src/shared/config.js';
import { startModelServer, type ModelServer } from '../../fakes/model-server.js';

let server: ModelServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const config = (baseURL: string, model = 'qwen2.5-vl') => Config.parse({ models: { planner: { baseURL, model } } });
const byName = (checks: Awaited<ReturnType<typeof checkModels>>) => Object.fromEntries(checks.map((c) => [c.name, c]));

describe('deskpilot models check', () => {
  it('passes a served vision model, and sends it a real picture', async () => {
    server = await startModelServer([{ content: 'Red' }], { models: ['qwen2.5-vl'] });
    const c = byName(await checkModels(config(server.baseURL)));
    expect(c['model endpoint (planner)']?.status).toBe('ok');
    expect(c['model name (planner)']?.status).toBe('ok');
    expect(c['sees images (planner)']?.status).toBe('ok');
    expect(c['model endpoint (grounder)']?.status).toBe('skip');
    const body = server.requests.find((r) => r.path === '/v1/chat/completions')!.body as { messages: Array<{ content: Array<{ type: string }> }> };
    expect(body.messages[0]!.content[0]!.type).toBe('image_url');
  });

  it('explains a base URL without /v1, a wrong model name and a text-only model', async () => {
    server = await startModelServer([{ status: 400, body: { error: { message: 'This model does not support image input' } } }], { models: ['llama3', 'mistral'] });
    const noV1 = byName(await checkModels(config(server.baseURL.replace(/\/v1$/, ''))));
    expect(noV1['model endpoint (planner)']).toMatchObject({ status: 'fail', hint: expect.stringMatching(/end in \/v1/) as unknown });
    const c = byName(await checkModels(config(server.baseURL, 'llama3.1')));
    expect(c['model name (planner)']).toMatchObject({ status: 'fail', detail: expect.stringMatching(/not among the served models: llama3, mistral/) as unknown });
    expect(c['sees images (planner)']).toMatchObject({ status: 'fail', hint: expect.stringMatching(/does not accept images/) as unknown });
  });

  it('explains a server that is not running', async () => {
    const closed = await startModelServer();
    const url = closed.baseURL;
    await closed.close(); // a port where nothing listens any more
    const c = byName(await checkModels(config(url)));
    expect(c['model endpoint (planner)']).toMatchObject({ status: 'fail', hint: expect.stringMatching(/refused|running/) as unknown });
  });
});
