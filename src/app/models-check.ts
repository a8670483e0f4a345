import sharp from 'sharp';
import { OpenAiModelClient } from '../planner/model/client.js';
import type { Config, ModelEndpoint } from '../shared/config.js';
import { AppError } from '../shared/errors.js';
import type { CheckResult } from './doctor/types.js';
import { endpointCheck } from './doctor/endpoint.js';
import { LOCAL_VLM_CHECK, localVlmStatus } from './doctor/local-vlm.js';
import { nullLogger } from '../shared/logger.js';

/**
 * `deskpilot models check`: for each configured role, is the server there (GET /models), is
 * the model name one it serves, and can the model see an image? Failures are explained in the
 * words of the usual mistakes: a base URL without /v1, a wrong model name, a text-only model.
 * Then the local VLM grounder's folder: installed or not, and how to install it.
 */
export async function checkModels(config: Config, signal?: AbortSignal): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  for (const role of ['planner', 'grounder'] as const) {
    const endpoint = config.models[role];
    const reach = endpointCheck(role);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), reach.timeoutMs);
    const reached = await reach
      .run({ config, dataDir: '', display: undefined, platform: process.platform, logger: nullLogger }, controller.signal)
      .finally(() => clearTimeout(timer));
    out.push({ name: reach.name, ...reached });
    if (!endpoint || reached.status !== 'ok') continue;
    out.push(await modelNameCheck(role, endpoint, signal));
    out.push(await visionCheck(role, endpoint, signal));
  }
  out.push({ name: LOCAL_VLM_CHECK, ...(await localVlmStatus(config)) });
  return out;
}

async function modelNameCheck(role: string, endpoint: ModelEndpoint, signal?: AbortSignal): Promise<CheckResult> {
  const name = `model name (${role})`;
  const res = await fetch(endpoint.baseURL.replace(/\/+$/, '') + '/models', { ...(signal ? { signal } : {}), headers: auth(endpoint) });
  const body = (await res.json().catch(() => null)) as { data?: Array<{ id?: string }> } | null;
  const ids = (body?.data ?? []).flatMap((m) => (typeof m.id === 'string' ? [m.id] : []));
  if (ids.includes(endpoint.model)) return { name, status: 'ok', detail: `"${endpoint.model}" is served` };
  if (ids.length === 0) return { name, status: 'ok', detail: `the server lists no models; "${endpoint.model}" will be tried as is` };
  return {
    name,
    status: 'fail',
    detail: `"${endpoint.model}" is not among the served models: ${ids.slice(0, 8).join(', ')}${ids.length > 8 ? ', …' : ''}`,
    hint: `set models.${role}.model to one of those names`,
  };
}

/** Sends a small picture with one obvious fact in it; a text-only model fails or cannot say. */
async function visionCheck(role: 'planner' | 'grounder', endpoint: ModelEndpoint, signal?: AbortSignal): Promise<CheckResult> {
  const name = `sees images (${role})`;
  const png = await sharp({ create: { width: 56, height: 56, channels: 3, background: { r: 230, g: 20, b: 20 } } }).png().toBuffer();
  const client = new OpenAiModelClient({ endpoints: { [role]: { ...endpoint, maxRetries: 0, timeoutMs: Math.min(endpoint.timeoutMs, 30_000) } } });
  try {
    const r = await client.chat(
      {
        role,
        maxTokens: 10,
        temperature: 0,
        messages: [{ role: 'user', content: [{ type: 'image', base64: png.toString('base64'), mime: 'image/png' }, { type: 'text', text: 'What colour is this image? Answer with one word.' }] }],
      },
      signal,
    );
    if (/red/i.test(r.text)) return { name, status: 'ok', detail: `answered "${r.text.trim().slice(0, 40)}" in ${Math.round(r.latencyMs)} ms` };
    return {
      name,
      status: 'fail',
      detail: `asked the colour of a red picture, answered "${r.text.trim().slice(0, 60)}"`,
      hint: 'the model may not see images: DeskPilot needs a vision model (e.g. Qwen2.5-VL, GPT-4o, UI-TARS)',
    };
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    const textOnly = /image|vision|multimodal|modalit/i.test(msg);
    return {
      name,
      status: 'fail',
      detail: msg,
      hint: textOnly ? 'this model does not accept images: choose a vision model' : err instanceof AppError ? 'see the message above' : 'unexpected error',
    };
  }
}

function auth(endpoint: ModelEndpoint): Record<string, string> {
  return endpoint.apiKey && !/^\{\{secret:/.test(endpoint.apiKey) ? { authorization: `Bearer ${endpoint.apiKey}` } : {};
}
