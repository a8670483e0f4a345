import { afterEach, describe, expect, it } from 'vitest';
import { ModelError } from '../../../src/shared/errors.js';
import { OpenAiModelClient } from '../../../src/planner/model/client.js';
import { startModelServer, type ModelServer } from '../../fakes/model-server.js';

let server: ModelServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function client(baseURL: string, timeoutMs = 5000) {
  return new OpenAiModelClient({
    endpoints: { planner: { baseURL, model: 'qwen2.5-vl', timeoutMs, maxRetries: 1, apiKey: 'sk-test' } },
  });
}

const png = Buffer.from('89504e470d0a1a0a', 'hex').toString('base64');

describe('OpenAI-compatible model client over real HTTP', () => {
  it('sends text and image parts, and counts tokens and calls', async () => {
    server = await startModelServer([{ content: '{"action":"click"}' }]);
    const c = client(server.baseURL);
    const r = await c.chat({
      role: 'planner',
      json: true,
      messages: [
        { role: 'system', content: 'You are a GUI agent.' },
        { role: 'user', content: [{ type: 'text', text: 'Task: save' }, { type: 'image', base64: png, mime: 'image/png' }] },
      ],
    });
    expect(r.text).toBe('{"action":"click"}');
    expect(c.usage.planner.calls).toBe(1);
    expect(c.usage.planner.promptTokens).toBe(100);
    const body = server.requests[0]!.body as { model: string; messages: Array<{ content: unknown }>; response_format: unknown };
    expect(body.model).toBe('qwen2.5-vl');
    expect(body.response_format).toEqual({ type: 'json_object' });
    expect(body.messages[1]!.content).toEqual([
      { type: 'text', text: 'Task: save' },
      { type: 'image_url', image_url: { url: `data:image/png;base64,${png}` } },
    ]);
    expect(server.requests[0]!.headers.authorization).toBe('Bearer sk-test');
  });

  it('retries a 500 and then succeeds', async () => {
    server = await startModelServer([{ status: 500 }, { content: 'ok' }]);
    expect((await client(server.baseURL).chat({ role: 'planner', messages: [{ role: 'user', content: 'hi' }] })).text).toBe('ok');
    expect(server.requests.filter((r) => r.path === '/v1/chat/completions')).toHaveLength(2);
  });

  it('explains a 404 (missing /v1), a dead endpoint, a timeout and garbage in plain words', async () => {
    server = await startModelServer([{ garbage: '{"choices": [' }, { hangMs: 3000 }, { hangMs: 3000 }]);
    const root = server.baseURL.replace(/\/v1$/, '');
    const ask = (c: OpenAiModelClient) => c.chat({ role: 'planner', messages: [{ role: 'user', content: 'hi' }] });
    await expect(ask(client(root))).rejects.toThrow(/HTTP 404.*ends in \/v1/);
    await expect(ask(client(server.baseURL))).rejects.toMatchObject({ code: 'MODEL_BAD_OUTPUT' });
    await expect(ask(client(server.baseURL, 300))).rejects.toMatchObject({ code: 'MODEL_TIMEOUT' });
    await expect(ask(client('http://127.0.0.1:9/v1'))).rejects.toMatchObject({ code: 'MODEL_UNREACHABLE' });
    await expect(
      new OpenAiModelClient({ endpoints: {} }).chat({ role: 'grounder', messages: [] }),
    ).rejects.toBeInstanceOf(ModelError);
  });
});
