import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { GraphBuilder, writeOnnx, type GraphSpec } from './onnx-writer.js';

/**
 * A tiny Qwen2-VL folder in the layout transformers.js loads (config.json,
 * preprocessor_config.json, tokenizer.json, tokenizer_config.json with the Qwen2-VL chat
 * template, generation_config.json, onnx/{vision_encoder,embed_tokens,decoder_model_merged}.onnx),
 * with the input/output names and dtypes transformers.js uses for Qwen2-VL.
 *
 * It answers from the IMAGE: the vision encoder gives each merged 28x28 block its mean
 * brightness; the decoder finds the brightest block from the embeddings and the mrope
 * position ids (h = pos[1] - pos[0], w = pos[2] - pos[0] for image tokens), keeps that in its
 * KV cache, and spells the answer in the format's syntax, one token per step. So moving a
 * white square moves the answer, and every part of the real path (processor, smart resize,
 * patch layout, rope index, KV cache, greedy generation, decoding) has to be right for the
 * answer to land on the square.
 */

export type TinyFormat = 'showui' | 'os-atlas-7b';

// Byte-level BPE: every byte is one token (id = byte value), then the Qwen2-VL special tokens.
const SPECIALS = [
  '<|endoftext|>',
  '<|im_start|>',
  '<|im_end|>',
  '<|object_ref_start|>',
  '<|object_ref_end|>',
  '<|box_start|>',
  '<|box_end|>',
  '<|quad_start|>',
  '<|quad_end|>',
  '<|vision_start|>',
  '<|vision_end|>',
  '<|vision_pad|>',
  '<|image_pad|>',
  '<|video_pad|>',
] as const;
const ID = Object.fromEntries(SPECIALS.map((s, i) => [s, 256 + i])) as Record<(typeof SPECIALS)[number], number>;
const VOCAB = 256 + SPECIALS.length;
/** Embedding channels: brightness score, is-image, is-<|im_start|>, is-answer-character. */
const HIDDEN = 4;
const TEXT_SCORE = -1000;

/** The Qwen2-VL-2B-Instruct chat template (chat_template.json of the Qwen release). */
export const QWEN2_VL_CHAT_TEMPLATE =
  "{% set image_count = namespace(value=0) %}{% set video_count = namespace(value=0) %}{% for message in messages %}{% if loop.first and message['role'] != 'system' %}<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n{% endif %}<|im_start|>{{ message['role'] }}\n{% if message['content'] is string %}{{ message['content'] }}<|im_end|>\n{% else %}{% for content in message['content'] %}{% if content['type'] == 'image' or 'image' in content or 'image_url' in content %}{% set image_count.value = image_count.value + 1 %}{% if add_vision_id %}Picture {{ image_count.value }}: {% endif %}<|vision_start|><|image_pad|><|vision_end|>{% elif content['type'] == 'video' or 'video' in content %}{% set video_count.value = video_count.value + 1 %}{% if add_vision_id %}Video {{ video_count.value }}: {% endif %}<|vision_start|><|video_pad|><|vision_end|>{% elif 'text' in content %}{{ content['text'] }}{% endif %}{% endfor %}<|im_end|>\n{% endif %}{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}";

/** GPT-2 bytes_to_unicode: the printable stand-in of each byte in a byte-level vocabulary. */
function byteChars(): string[] {
  const printable = new Set<number>();
  for (let b = 33; b <= 126; b++) printable.add(b);
  for (let b = 161; b <= 172; b++) printable.add(b);
  for (let b = 174; b <= 255; b++) printable.add(b);
  const out: string[] = [];
  let n = 0;
  for (let b = 0; b < 256; b++) out.push(String.fromCodePoint(printable.has(b) ? b : 256 + n++));
  return out;
}

// Answer templates: literal tokens and digit slots. Values: 0 cx, 1 cy, 2 x1, 3 y1, 4 x2, 5 y2
// (fractions of the image); a slot's digit is floor(v * scale) mod 10.
type Slot = { tok: number } | { value: number; scale: number };
const lit = (s: string): Slot[] => [...s].map((c) => ({ tok: c.charCodeAt(0) }));
const dig = (value: number, places: number[]): Slot[] => places.map((scale) => ({ value, scale }));
const ANSWERS: Record<TinyFormat, Slot[]> = {
  // ShowUI: "[0.31,0.34]"
  showui: [...lit('[0.'), ...dig(0, [10, 100]), ...lit(',0.'), ...dig(1, [10, 100]), ...lit(']'), { tok: ID['<|im_end|>'] }],
  // OS-Atlas-Base-7B: "<|box_start|>(305,320),(333,360)<|box_end|>" in 0-1000
  'os-atlas-7b': [
    { tok: ID['<|box_start|>'] },
    ...lit('('),
    ...dig(2, [10, 100, 1000]),
    ...lit(','),
    ...dig(3, [10, 100, 1000]),
    ...lit('),('),
    ...dig(4, [10, 100, 1000]),
    ...lit(','),
    ...dig(5, [10, 100, 1000]),
    ...lit(')'),
    { tok: ID['<|box_end|>'] },
    { tok: ID['<|im_end|>'] },
  ],
};

function answerAlphabet(): Set<number> {
  const s = new Set<number>();
  for (const c of '0123456789[](),.') s.add(c.charCodeAt(0));
  s.add(ID['<|box_start|>']);
  s.add(ID['<|box_end|>']);
  return s;
}

export function embedTokensGraph(): GraphSpec {
  const g = new GraphBuilder();
  const alphabet = answerAlphabet();
  const table: number[] = [];
  for (let id = 0; id < VOCAB; id++) table.push(TEXT_SCORE, 0, id === ID['<|im_start|>'] ? 1 : 0, alphabet.has(id) ? 1 : 0);
  const t = g.const(table, [VOCAB, HIDDEN]);
  g.op('Gather', [t, 'input_ids'], { axis: 0 }, 'inputs_embeds');
  return {
    name: 'embed_tokens',
    inputs: [{ name: 'input_ids', type: 'int64', dims: ['batch_size', 'sequence_length'] }],
    outputs: [{ name: 'inputs_embeds', type: 'float', dims: ['batch_size', 'sequence_length', HIDDEN] }],
    nodes: g.nodes,
    initializers: g.initializers,
  };
}

export function visionEncoderGraph(): GraphSpec {
  const g = new GraphBuilder();
  // 4 consecutive patch rows are one merged token (the processor's permute puts them together).
  const rows = g.op('Reshape', ['pixel_values', g.const([-1, 4 * 1176], [2], 'int64')]);
  const bright = g.op('ReduceMean', [rows], { axes: [1], keepdims: 1 });
  const feats = g.op('Add', [g.op('Mul', [bright, g.const([1, 0, 0, 0], [HIDDEN])]), g.const([0, 1, 0, 0], [HIDDEN])]);
  // grid_thw must be fed (transformers.js passes it); it does not change the features.
  const grid = g.op('ReduceSum', [g.op('Cast', ['grid_thw'], { to: 1 })], { keepdims: 0 });
  g.op('Add', [feats, g.op('Mul', [grid, g.scalar(0)])], undefined, 'image_features');
  return {
    name: 'vision_encoder',
    inputs: [
      { name: 'pixel_values', type: 'float', dims: ['num_patches', 1176] },
      { name: 'grid_thw', type: 'int64', dims: ['num_images', 3] },
    ],
    outputs: [{ name: 'image_features', type: 'float', dims: ['num_image_tokens', HIDDEN] }],
    nodes: g.nodes,
    initializers: g.initializers,
  };
}

export function decoderGraph(format: TinyFormat): GraphSpec {
  const g = new GraphBuilder();
  const i64 = (v: number[]) => g.const(v, [v.length], 'int64');
  const idx = (v: number) => g.scalar(v, 'int64');
  const KEY = 6;

  // This step's tokens: [B, L] per field.
  const pos = g.op('Cast', ['position_ids'], { to: 1 });
  const p = [0, 1, 2].map((i) => g.op('Gather', [pos, idx(i)], { axis: 0 }));
  const ch = (t: string, i: number) => g.op('Gather', [t, idx(i)], { axis: 2 });
  const score = ch('inputs_embeds', 0);
  const hh = g.op('Sub', [p[1]!, p[0]!]);
  const ww = g.op('Sub', [p[2]!, p[0]!]);
  const imStart = g.op('Mul', [ch('inputs_embeds', 2), g.op('Add', [p[0]!, g.scalar(1)])]);
  const answer = ch('inputs_embeds', 3);
  const fields = [score, hh, ww, imStart, answer, p[0]!].map((f) => g.op('Unsqueeze', [f, i64([2])]));
  const cur = g.op('Unsqueeze', [g.op('Concat', fields, { axis: 2 }), i64([1])]);
  g.op('Concat', ['past_key_values.0.key', cur], { axis: 2 }, 'present.0.key');
  g.op('Identity', ['present.0.key'], undefined, 'present.0.value');

  // The whole sequence so far, from the cache: [B, T] per field.
  const all = g.op('Squeeze', ['present.0.key', i64([1])]);
  const best = g.op('ArgMax', [ch(all, 0)], { axis: 1, keepdims: 1 });
  const hAll = ch(all, 1);
  const wAll = ch(all, 2);
  const hs = g.op('GatherElements', [hAll, best], { axis: 1 });
  const ws = g.op('GatherElements', [wAll, best], { axis: 1 });
  const gridH = g.op('Add', [g.op('ReduceMax', [hAll], { axes: [1], keepdims: 1 }), g.scalar(1)]);
  const gridW = g.op('Add', [g.op('ReduceMax', [wAll], { axes: [1], keepdims: 1 }), g.scalar(1)]);
  const frac = (v: string, plus: number, grid: string) => g.op('Div', [g.op('Add', [v, g.scalar(plus)]), grid]);
  const values = g.op('Concat', [frac(ws, 0.5, gridW), frac(hs, 0.5, gridH), frac(ws, 0, gridW), frac(hs, 0, gridH), frac(ws, 1, gridW), frac(hs, 1, gridH)], {
    axis: 1,
  });
  const clipped = g.op('Clip', [values, g.scalar(0), g.scalar(0.9999)]);

  // How many answer tokens follow the last <|im_start|>: the index of the token to emit now.
  const lastStart = g.op('Sub', [g.op('ReduceMax', [ch(all, 3)], { axes: [1], keepdims: 1 }), g.scalar(1)]);
  const after = g.op('Cast', [g.op('Greater', [ch(all, 5), lastStart])], { to: 1 });
  const count = g.op('ReduceSum', [g.op('Mul', [ch(all, 4), after]), i64([1])], { keepdims: 1 });

  const slots = ANSWERS[format];
  const n = slots.length;
  const valueIdx = i64(slots.map((s) => ('value' in s ? s.value : 0)));
  const scales = g.const(slots.map((s) => ('value' in s ? s.scale : 1)), [n]);
  const isDigit = g.const(slots.map((s) => ('value' in s ? 1 : 0)), [n]);
  const base = g.const(slots.map((s) => ('tok' in s ? s.tok : '0'.charCodeAt(0))), [n]);
  const scaled = g.op('Floor', [g.op('Add', [g.op('Mul', [g.op('Gather', [clipped, valueIdx], { axis: 1 }), scales]), g.scalar(1e-3)])]);
  const digit = g.op('Sub', [scaled, g.op('Mul', [g.op('Floor', [g.op('Div', [scaled, g.scalar(10)])]), g.scalar(10)])]);
  const ids = g.op('Add', [base, g.op('Mul', [digit, isDigit])]);
  const step = g.op('Cast', [g.op('Min', [count, g.scalar(n - 1)])], { to: 7 });
  const next = g.op('Unsqueeze', [g.op('GatherElements', [ids, step], { axis: 1 }), i64([2])]);
  const vocab = g.const(Array.from({ length: VOCAB }, (_, i) => i), [VOCAB]);
  const oneHot = g.op('Mul', [g.op('Cast', [g.op('Equal', [next, vocab])], { to: 1 }), g.scalar(20)]);
  const shape = g.op('Concat', [g.op('Slice', [g.op('Shape', ['inputs_embeds']), i64([0]), i64([2])]), i64([VOCAB])], { axis: 0 });
  g.op('Expand', [oneHot, shape], undefined, 'logits');

  return {
    name: 'decoder_model_merged',
    inputs: [
      { name: 'inputs_embeds', type: 'float', dims: ['batch_size', 'sequence_length', HIDDEN] },
      { name: 'attention_mask', type: 'int64', dims: ['batch_size', 'total_sequence_length'] },
      { name: 'position_ids', type: 'int64', dims: [3, 'batch_size', 'sequence_length'] },
      { name: 'past_key_values.0.key', type: 'float', dims: ['batch_size', 1, 'past_sequence_length', KEY] },
      { name: 'past_key_values.0.value', type: 'float', dims: ['batch_size', 1, 'past_sequence_length', KEY] },
    ],
    outputs: [
      { name: 'logits', type: 'float', dims: ['batch_size', 'sequence_length', VOCAB] },
      { name: 'present.0.key', type: 'float', dims: ['batch_size', 1, 'total_sequence_length', KEY] },
      { name: 'present.0.value', type: 'float', dims: ['batch_size', 1, 'total_sequence_length', KEY] },
    ],
    nodes: g.nodes,
    initializers: g.initializers,
  };
}

function tokenizerJson(): unknown {
  const chars = byteChars();
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: SPECIALS.map((content) => ({ id: ID[content], content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: null,
    decoder: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: Object.fromEntries(chars.map((c, i) => [c, i])),
      merges: [],
    },
  };
}

/** Writes the tiny model into `dir` (created); returns `dir`. */
export async function writeTinyQwen2Vl(dir: string, format: TinyFormat = 'showui'): Promise<string> {
  await mkdir(path.join(dir, 'onnx'), { recursive: true });
  const json = (name: string, v: unknown) => writeFile(path.join(dir, name), JSON.stringify(v, null, 1));
  await json('config.json', {
    architectures: ['Qwen2VLForConditionalGeneration'],
    model_type: 'qwen2_vl',
    hidden_size: HIDDEN,
    num_hidden_layers: 1,
    num_attention_heads: 1,
    num_key_value_heads: 1,
    vocab_size: VOCAB,
    bos_token_id: ID['<|endoftext|>'],
    eos_token_id: ID['<|im_end|>'],
    image_token_id: ID['<|image_pad|>'],
    video_token_id: ID['<|video_pad|>'],
    vision_start_token_id: ID['<|vision_start|>'],
    vision_end_token_id: ID['<|vision_end|>'],
    vision_token_id: ID['<|vision_pad|>'],
    vision_config: { spatial_merge_size: 2, patch_size: 14, temporal_patch_size: 2, in_chans: 3 },
    rope_scaling: { type: 'mrope', mrope_section: [1, 1, 1] },
  });
  await json('generation_config.json', { bos_token_id: ID['<|endoftext|>'], eos_token_id: [ID['<|im_end|>'], ID['<|endoftext|>']], pad_token_id: ID['<|endoftext|>'], do_sample: false });
  await json('preprocessor_config.json', {
    min_pixels: 3136,
    max_pixels: 12845056,
    patch_size: 14,
    temporal_patch_size: 2,
    merge_size: 2,
    image_mean: [0.48145466, 0.4578275, 0.40821073],
    image_std: [0.26862954, 0.26130258, 0.27577711],
    image_processor_type: 'Qwen2VLImageProcessor',
    processor_class: 'Qwen2VLProcessor',
    do_resize: true,
    do_rescale: true,
    rescale_factor: 1 / 255,
    do_normalize: true,
    do_convert_rgb: true,
    resample: 3,
  });
  await json('tokenizer.json', tokenizerJson());
  await json('tokenizer_config.json', {
    tokenizer_class: 'Qwen2Tokenizer',
    model_max_length: 32768,
    eos_token: '<|im_end|>',
    pad_token: '<|endoftext|>',
    bos_token: null,
    errors: 'replace',
    clean_up_tokenization_spaces: false,
    split_special_tokens: false,
    added_tokens_decoder: Object.fromEntries(
      SPECIALS.map((content) => [String(ID[content]), { content, lstrip: false, normalized: false, rstrip: false, single_word: false, special: true }]),
    ),
    chat_template: QWEN2_VL_CHAT_TEMPLATE,
  });
  await writeFile(path.join(dir, 'onnx', 'vision_encoder.onnx'), writeOnnx(visionEncoderGraph()));
  await writeFile(path.join(dir, 'onnx', 'embed_tokens.onnx'), writeOnnx(embedTokensGraph()));
  await writeFile(path.join(dir, 'onnx', 'decoder_model_merged.onnx'), writeOnnx(decoderGraph(format)));
  return dir;
}
