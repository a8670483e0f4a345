import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The scripted OpenAI-compatible server: real HTTP on 127.0.0.1 that replays a transcript of
 * replies and records every request. The only stand-in we accept, because no model weights
 * can be fetched here; the client code path is the same as for a real endpoint.
 */

export type ScriptedReply =
  | { content: string }
  | { status: number; body?: unknown }
  | { garbage: string }
  | { hangMs: number }
  | ((request: RecordedRequest) => ScriptedReply);

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

export interface ModelServer {
  /** Base URL including /v1, as users configure it. */
  baseURL: string;
  requests: RecordedRequest[];
  /** Replies not used yet. */
  remaining(): number;
  push(...replies: ScriptedReply[]): void;
  /** Drops the replies not used yet. */
  clear(): void;
  close(): Promise<void>;
}

export async function startModelServer(
  script: ScriptedReply[] = [],
  options: { models?: string[] } = {},
): Promise<ModelServer> {
  const queue = [...script];
  const requests: RecordedRequest[] = [];
  const models = options.models ?? ['scripted-model'];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown = raw;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        /* recorded as text */
      }
      const recorded: RecordedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body };
      requests.push(recorded);
      if (req.method === 'GET' && req.url === '/v1/models') {
        return json(res, 200, { object: 'list', data: models.map((id) => ({ id, object: 'model', owned_by: 'test' })) });
      }
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
        return json(res, 404, { error: { message: `no route ${req.method} ${req.url}` } });
      }
      let reply = queue.shift();
      while (typeof reply === 'function') reply = reply(recorded);
      if (!reply) return json(res, 500, { error: { message: 'the scripted transcript has no more replies' } });
      answer(res, reply, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    remaining: () => queue.length,
    push: (...r) => void queue.push(...r),
    clear: () => void queue.splice(0),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function answer(res: http.ServerResponse, reply: Exclude<ScriptedReply, (r: RecordedRequest) => ScriptedReply>, body: unknown): void {
  if ('content' in reply) {
    const model = (body as { model?: string } | undefined)?.model ?? 'scripted-model';
    return json(res, 200, {
      id: `chatcmpl-${Date.now()}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model,
      choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: reply.content } }],
      usage: { prompt_tokens: 100, completion_tokens: Math.ceil(reply.content.length / 4), total_tokens: 0 },
    });
  }
  if ('status' in reply) return json(res, reply.status, reply.body ?? { error: { message: `scripted HTTP ${reply.status}` } });
  if ('garbage' in reply) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(reply.garbage);
    return;
  }
  // hangMs: keep the connection open without answering, to exercise client timeouts.
  setTimeout(() => {
    if (!res.writableEnded) json(res, 504, { error: { message: 'scripted hang ended' } });
  }, reply.hangMs).unref();
}

function json(res: http.ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}
