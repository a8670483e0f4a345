import type OpenAI from 'openai';
import type * as OpenAiSdk from 'openai';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { ModelEndpoint } from '../../shared/config.js';
import { Aborted, ModelError } from '../../shared/errors.js';
import { nullLogger, type Logger } from '../../shared/logger.js';
import type { ChatMessage, ChatRequest, ChatResponse, ModelClient } from '../../shared/ports.js';

type Sdk = typeof OpenAiSdk;
let sdk: Promise<Sdk> | undefined;
/** The openai package, loaded at the first model call: ~60 ms of start-up saved where no model is called. */
const openAi = (): Promise<Sdk> => (sdk ??= import('openai'));

/** Totals per role, for the "model calls per step" figures and the run log. */
export interface ModelUsage {
  calls: number;
  promptTokens: number;
  completionTokens: number;
  latencyMs: number;
}

export interface OpenAiModelClientOptions {
  endpoints: Partial<Record<ChatRequest['role'], ModelEndpoint>>;
  /** Resolves `{{secret:NAME}}` api keys; literal keys are used as they are. */
  resolveSecret?: (name: string) => Promise<string | undefined>;
  logger?: Logger;
}

/**
 * A ModelClient for any OpenAI-compatible endpoint (OpenAI, vLLM, Ollama, LM Studio,
 * llama.cpp server), one endpoint per role. Retries with backoff on 429/5xx and timeouts come
 * from the openai package (maxRetries, timeout); errors are turned into ModelErrors that name
 * the endpoint and say what to check.
 */
export class OpenAiModelClient implements ModelClient {
  readonly usage: Record<ChatRequest['role'], ModelUsage> = {
    planner: { calls: 0, promptTokens: 0, completionTokens: 0, latencyMs: 0 },
    grounder: { calls: 0, promptTokens: 0, completionTokens: 0, latencyMs: 0 },
  };
  private readonly clients = new Map<string, OpenAI>();
  private readonly logger: Logger;

  constructor(private readonly options: OpenAiModelClientOptions) {
    this.logger = options.logger ?? nullLogger;
  }

  async chat(request: ChatRequest, signal?: AbortSignal): Promise<ChatResponse> {
    const endpoint = this.options.endpoints[request.role];
    if (!endpoint) {
      throw new ModelError(
        `no model is configured for the ${request.role} role (set models.${request.role} in the config file, or DESKPILOT_${request.role === 'planner' ? 'MODEL' : 'GROUNDER'}_BASE_URL and _MODEL)`,
      );
    }
    const openai = await openAi();
    const client = await this.client(request.role, endpoint, openai);
    const started = performance.now();
    let completion: OpenAI.Chat.Completions.ChatCompletion;
    try {
      completion = await client.chat.completions.create(
        {
          model: endpoint.model,
          messages: request.messages.map(toOpenAi),
          ...(request.maxTokens !== undefined ? { max_tokens: request.maxTokens } : {}),
          ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
          ...(request.json ? { response_format: { type: 'json_object' as const } } : {}),
        },
        { signal },
      );
    } catch (err) {
      throw explain(err, endpoint, openai, signal);
    }
    const latencyMs = performance.now() - started;
    const text = completion.choices?.[0]?.message?.content;
    if (typeof text !== 'string') {
      throw new ModelError(`${endpoint.baseURL}: the reply has no message content (model ${endpoint.model})`, 'MODEL_BAD_OUTPUT');
    }
    const usage = {
      promptTokens: completion.usage?.prompt_tokens ?? 0,
      completionTokens: completion.usage?.completion_tokens ?? 0,
    };
    const totals = this.usage[request.role];
    totals.calls++;
    totals.promptTokens += usage.promptTokens;
    totals.completionTokens += usage.completionTokens;
    totals.latencyMs += latencyMs;
    this.logger.debug({ role: request.role, model: endpoint.model, latencyMs, ...usage }, 'model call');
    return { text, model: completion.model || endpoint.model, latencyMs, usage };
  }

  private async client(role: string, endpoint: ModelEndpoint, openai: Sdk): Promise<OpenAI> {
    let client = this.clients.get(role);
    if (!client) {
      client = new openai.OpenAI({
        baseURL: endpoint.baseURL,
        apiKey: (await this.apiKey(endpoint)) ?? 'not-needed',
        timeout: endpoint.timeoutMs,
        maxRetries: endpoint.maxRetries,
      });
      this.clients.set(role, client);
    }
    return client;
  }

  private async apiKey(endpoint: ModelEndpoint): Promise<string | undefined> {
    const m = /^\{\{secret:([\w.-]+)\}\}$/.exec(endpoint.apiKey ?? '');
    if (!m) return endpoint.apiKey;
    const value = await this.options.resolveSecret?.(m[1]!);
    if (value === undefined) throw new ModelError(`the API key secret "${m[1]}" is not set (deskpilot secrets set ${m[1]})`);
    return value;
  }
}

function toOpenAi(m: ChatMessage): ChatCompletionMessageParam {
  if (typeof m.content === 'string' || m.role !== 'user') {
    const text = typeof m.content === 'string' ? m.content : m.content.map((p) => (p.type === 'text' ? p.text : '')).join('\n');
    return { role: m.role, content: text };
  }
  return {
    role: 'user',
    content: m.content.map((p) =>
      p.type === 'text'
        ? { type: 'text' as const, text: p.text }
        : { type: 'image_url' as const, image_url: { url: `data:${p.mime};base64,${p.base64}` } },
    ),
  };
}

/** Turns the openai package's errors into plain words that name the endpoint. */
export function explain(err: unknown, endpoint: ModelEndpoint, sdk: Sdk, signal?: AbortSignal): Error {
  const { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } = sdk;
  const where = `${endpoint.baseURL} (model ${endpoint.model})`;
  if (err instanceof APIUserAbortError || signal?.aborted) return new Aborted('the model call was stopped', { cause: err });
  if (err instanceof APIConnectionTimeoutError) {
    return new ModelError(`${where}: no answer within ${endpoint.timeoutMs} ms`, 'MODEL_TIMEOUT', { cause: err });
  }
  if (err instanceof APIConnectionError) {
    return new ModelError(`${where}: cannot connect (is the server running and the URL right?)`, 'MODEL_UNREACHABLE', { cause: err });
  }
  if (err instanceof APIError) {
    const hint =
      err.status === 404
        ? ' — check that the base URL ends in /v1 and that the model name exists'
        : err.status === 401 || err.status === 403
          ? ' — check the API key'
          : err.status === 429
            ? ' — rate limited; retried and still refused'
            : '';
    return new ModelError(`${where}: HTTP ${err.status ?? '?'} ${firstLine(err.message)}${hint}`, 'MODEL_HTTP', { cause: err });
  }
  if (err instanceof SyntaxError) {
    return new ModelError(`${where}: the reply is not valid JSON`, 'MODEL_BAD_OUTPUT', { cause: err });
  }
  return err instanceof Error ? err : new ModelError(String(err));
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.slice(0, 200);
}
