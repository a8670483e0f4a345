import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { errorMessage, ModelError, throwIfAborted } from '../../shared/errors.js';
import { dtypeOf, inspectFolder, LOCAL_VLM_SESSIONS, notInstalledError, type LocalVlmDtypeOption, type LocalVlmSession } from './local-folder.js';

/**
 * A Qwen2-VL model loaded from a local folder with transformers.js (@huggingface/transformers),
 * remote loading off: the processor (tokenizer + Qwen2-VL image processor) and the three ONNX
 * sessions. Loaded once per process per (folder, dtype), lazily, on the first locate.
 */

/** The part of transformers.js this file uses, typed narrowly. */
interface Tensor {
  dims: number[];
  tolist(): unknown[];
  slice(...ranges: Array<null | number | [number | null, number | null]>): Tensor;
}
interface Session {
  inputNames: string[];
  outputNames: string[];
}
interface ImageProcessor {
  min_pixels: number;
  max_pixels: number;
  patch_size: number;
}
interface Processor {
  image_processor: ImageProcessor;
  tokenizer: { chat_template?: unknown };
  apply_chat_template(messages: unknown[], options: Record<string, unknown>): string;
  batch_decode(t: Tensor, options: { skip_special_tokens: boolean }): string[];
  (text: string, image: unknown): Promise<Record<string, Tensor> & { input_ids: Tensor; image_grid_thw: Tensor }>;
}
interface Model {
  sessions: Record<string, Session>;
  config: { model_type?: string; eos_token_id?: number | number[] };
  generate(options: Record<string, unknown>): Promise<Tensor>;
  dispose(): Promise<unknown>;
}
interface TransformersModule {
  env: { allowRemoteModels: boolean; allowLocalModels: boolean; logLevel: number };
  LogLevel: { ERROR: number };
  AutoProcessor: { from_pretrained(dir: string, options: Record<string, unknown>): Promise<Processor> };
  AutoModelForImageTextToText: { from_pretrained(dir: string, options: Record<string, unknown>): Promise<Model> };
  RawImage: new (data: Uint8ClampedArray, width: number, height: number, channels: number) => unknown;
}

/** The input and output names transformers.js feeds and reads for Qwen2-VL (modeling_qwen2_vl.js). */
export const EXPECTED_IO: Record<LocalVlmSession, { inputs: string[]; outputs: string[] }> = {
  vision_encoder: { inputs: ['pixel_values', 'grid_thw'], outputs: ['image_features'] },
  embed_tokens: { inputs: ['input_ids'], outputs: ['inputs_embeds'] },
  decoder_model_merged: { inputs: ['inputs_embeds', 'attention_mask', 'position_ids'], outputs: ['logits'] },
};

const MODEL_TYPES = ['qwen2_vl', 'qwen2_5_vl'];

export interface LocalVlmLoadOptions {
  dir: string;
  dtype?: LocalVlmDtypeOption;
}

export interface GenerateRequest {
  /** Chat messages in the transformers.js form: content parts {type:'text',text} / {type:'image'}. */
  messages: unknown[];
  image: { data: Uint8Array; width: number; height: number; channels: 3 | 4 };
  minPixels: number;
  maxPixels: number;
  maxNewTokens: number;
  signal?: AbortSignal;
}

export interface GenerateResult {
  /** The prompt as the chat template rendered it. */
  prompt: string;
  /** The generated text, special tokens kept (OS-Atlas answers inside <|box_start|>…), end tokens removed. */
  answer: string;
  /** The size of the image the model saw (smart-resized by the processor). */
  image: { width: number; height: number };
  promptTokens: number;
  newTokens: number;
}

export class LocalVlmModel {
  private constructor(
    readonly dir: string,
    private readonly tf: TransformersModule,
    private readonly processor: Processor,
    private readonly model: Model,
    private readonly chatTemplate: string | undefined,
  ) {}

  static async load(options: LocalVlmLoadOptions): Promise<LocalVlmModel> {
    const dir = path.resolve(options.dir);
    const state = inspectFolder(dir, options.dtype);
    if (state.missing.length) throw notInstalledError(state);
    const config = await readJson(dir, 'config.json');
    const type = (config as { model_type?: unknown }).model_type;
    if (typeof type !== 'string' || !MODEL_TYPES.includes(type)) {
      throw corrupt(dir, `config.json has model_type ${JSON.stringify(type)}, not one of ${MODEL_TYPES.join(', ')} (ShowUI-2B and OS-Atlas-Base-7B are qwen2_vl)`);
    }
    const tf = (await import('@huggingface/transformers')) as unknown as TransformersModule;
    // Offline by construction: never ask the Hugging Face hub, only read this folder.
    tf.env.allowRemoteModels = false;
    tf.env.allowLocalModels = true;
    tf.env.logLevel = tf.LogLevel.ERROR;
    // Configured dtype wins; otherwise transformers.js takes the folder's own (config.json) or fp32.
    const dtype = options.dtype ? Object.fromEntries(LOCAL_VLM_SESSIONS.map((s) => [s, dtypeOf(options.dtype, s)])) : undefined;
    let processor: Processor;
    let model: Model;
    try {
      processor = await tf.AutoProcessor.from_pretrained(dir, { local_files_only: true });
      model = await tf.AutoModelForImageTextToText.from_pretrained(dir, { local_files_only: true, device: 'cpu', ...(dtype ? { dtype } : {}) });
    } catch (err) {
      throw corrupt(dir, errorMessage(err).split('\n')[0] ?? 'unknown error');
    }
    const mismatch = ioMismatch(model.sessions);
    if (mismatch) {
      await model.dispose().catch(() => undefined);
      throw corrupt(dir, mismatch);
    }
    // Qwen releases keep the template in chat_template.json (or .jinja); the tokenizer may lack it.
    const chatTemplate = processor.tokenizer.chat_template ? undefined : await templateFile(dir);
    if (!processor.tokenizer.chat_template && !chatTemplate) {
      await model.dispose().catch(() => undefined);
      throw corrupt(dir, 'no chat template: neither tokenizer_config.json "chat_template" nor chat_template.json / chat_template.jinja');
    }
    return new LocalVlmModel(dir, tf, processor, model, chatTemplate);
  }

  private queue: Promise<unknown> = Promise.resolve();

  /** One generation at a time: callers share the sessions and the processor's pixel budget. */
  generate(req: GenerateRequest): Promise<GenerateResult> {
    const run = this.queue.then(() => this.generateNow(req));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async generateNow(req: GenerateRequest): Promise<GenerateResult> {
    throwIfAborted(req.signal);
    const prompt = this.processor.apply_chat_template(req.messages, {
      add_generation_prompt: true,
      ...(this.chatTemplate ? { chat_template: this.chatTemplate } : {}),
    });
    const ip = this.processor.image_processor;
    ip.min_pixels = req.minPixels;
    ip.max_pixels = req.maxPixels;
    const { data, width, height, channels } = req.image;
    const image = new this.tf.RawImage(new Uint8ClampedArray(data.buffer, data.byteOffset, data.byteLength), width, height, channels);
    const inputs = await this.processor(prompt, image);
    throwIfAborted(req.signal);
    const [, gh, gw] = (inputs.image_grid_thw.tolist()[0] as bigint[]).map(Number) as [number, number, number];
    const promptTokens = inputs.input_ids.dims[1]!;
    const signal = req.signal;
    const out = await this.model.generate({
      ...inputs,
      max_new_tokens: req.maxNewTokens,
      do_sample: false,
      num_beams: 1,
      // Checked between tokens: each generated token passes through the streamer.
      streamer: {
        put: () => throwIfAborted(signal),
        end: () => undefined,
      },
    });
    const generated = out.slice(null, [promptTokens, null]);
    const raw = this.processor.batch_decode(generated, { skip_special_tokens: false })[0] ?? '';
    return {
      prompt,
      answer: raw.replace(/<\|(im_end|endoftext)\|>/g, '').trim(),
      image: { width: gw * ip.patch_size, height: gh * ip.patch_size },
      promptTokens,
      newTokens: out.dims[1]! - promptTokens,
    };
  }

  /** The graphs' input names, for tests and reports. */
  inputNames(session: LocalVlmSession): string[] {
    return [...(this.model.sessions[session]?.inputNames ?? [])];
  }

  async dispose(): Promise<void> {
    await this.model.dispose();
  }
}

// ---- one load per process -----------------------------------------------------------------

const loaded = new Map<string, Promise<LocalVlmModel>>();

/** The model for this folder and dtype, loaded on first use and shared by every caller after. */
export function loadLocalVlm(options: LocalVlmLoadOptions): Promise<LocalVlmModel> {
  const key = JSON.stringify([path.resolve(options.dir), options.dtype ?? 'fp32']);
  let p = loaded.get(key);
  if (!p) {
    p = LocalVlmModel.load(options);
    // A failed load is not cached: installing the folder and retrying must work without a restart.
    p.catch(() => loaded.delete(key));
    loaded.set(key, p);
  }
  return p;
}

/** Releases every loaded model (tests, shutdown). */
export async function disposeLocalVlms(): Promise<void> {
  const all = [...loaded.values()];
  loaded.clear();
  for (const p of all) await (await p.catch(() => undefined))?.dispose();
}

// ---- helpers ------------------------------------------------------------------------------

function ioMismatch(sessions: Record<string, Session>): string | undefined {
  for (const name of LOCAL_VLM_SESSIONS) {
    const s = sessions[name];
    if (!s) return `transformers.js opened no ${name} session`;
    const lackIn = EXPECTED_IO[name].inputs.filter((i) => !s.inputNames.includes(i));
    const lackOut = EXPECTED_IO[name].outputs.filter((o) => !s.outputNames.includes(o));
    if (lackIn.length || lackOut.length) {
      const parts = [...(lackIn.length ? [`inputs ${lackIn.join(', ')}`] : []), ...(lackOut.length ? [`outputs ${lackOut.join(', ')}`] : [])];
      return `onnx/${name}*.onnx lacks the ${parts.join(' and ')} of the Qwen2-VL export (it has inputs ${s.inputNames.join(', ')}; outputs ${s.outputNames.join(', ')})`;
    }
  }
  return undefined;
}

async function readJson(dir: string, file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path.join(dir, file), 'utf8')) as unknown;
  } catch (err) {
    throw corrupt(dir, `${file} is not valid JSON (${errorMessage(err)})`);
  }
}

async function templateFile(dir: string): Promise<string | undefined> {
  const jinja = await readFile(path.join(dir, 'chat_template.jinja'), 'utf8').catch(() => undefined);
  if (jinja) return jinja;
  const json = await readFile(path.join(dir, 'chat_template.json'), 'utf8').catch(() => undefined);
  if (!json) return undefined;
  const t = (JSON.parse(json) as { chat_template?: unknown }).chat_template;
  return typeof t === 'string' ? t : undefined;
}

function corrupt(dir: string, why: string): ModelError {
  return new ModelError(
    `the local VLM folder ${dir} does not load as a Qwen2-VL ONNX export: ${why}; re-export or re-download it (models/README.md "Local VLM grounder")`,
    'MODEL',
  );
}
