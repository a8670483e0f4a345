import type { z } from 'zod';
import { ModelError } from '../../shared/errors.js';
import type { ChatMessage, ChatRequest, ModelClient } from '../../shared/ports.js';

/** Pulls the JSON object out of a model reply: bare, in a ```json fence, or after some prose. */
export function extractJson(text: string): unknown {
  const fenced = /```(?:json)?\s*([\s\S]*?)```/i.exec(text);
  const candidate = (fenced?.[1] ?? text).trim();
  try {
    return JSON.parse(candidate);
  } catch {
    const start = candidate.indexOf('{');
    const end = candidate.lastIndexOf('}');
    if (start >= 0 && end > start) return JSON.parse(candidate.slice(start, end + 1));
    throw new SyntaxError('no JSON object in the reply');
  }
}

function problem(schema: z.ZodType, text: string): { ok: true; value: unknown } | { ok: false; why: string } {
  let raw: unknown;
  try {
    raw = extractJson(text);
  } catch (err) {
    return { ok: false, why: `your reply is not valid JSON (${(err as Error).message})` };
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issues = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  return { ok: false, why: `your JSON does not match the required shape: ${issues.join('; ')}` };
}

/**
 * One model call whose reply must be JSON of `schema`. A bad reply gets exactly one repair
 * attempt that shows the model its error; a second bad reply is a ModelError.
 */
export async function askJson<S extends z.ZodType>(
  model: ModelClient,
  request: Omit<ChatRequest, 'json'>,
  schema: S,
  signal?: AbortSignal,
  onCall?: () => void,
): Promise<z.infer<S>> {
  onCall?.();
  const first = await model.chat({ ...request, json: true }, signal);
  const r1 = problem(schema, first.text);
  if (r1.ok) return r1.value as z.infer<S>;
  const repair: ChatMessage[] = [
    ...request.messages,
    { role: 'assistant', content: first.text },
    { role: 'user', content: `${r1.why}. Answer again with only the corrected JSON object.` },
  ];
  onCall?.();
  const second = await model.chat({ ...request, messages: repair, json: true }, signal);
  const r2 = problem(schema, second.text);
  if (r2.ok) return r2.value as z.infer<S>;
  throw new ModelError(`the model's reply was unusable twice: ${r2.why}; reply: ${second.text.slice(0, 200)}`, 'MODEL_BAD_OUTPUT');
}
