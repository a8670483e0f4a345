import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { LocalVlmConfig } from '../../shared/config.js';
import { ModelError } from '../../shared/errors.js';

/**
 * The folder layout of a Qwen2-VL model exported for transformers.js (the onnx-community
 * layout): JSON configs and the tokenizer at the top, three ONNX graphs under onnx/ whose file
 * names carry the dtype suffix transformers.js picks (decoder_model_merged_q4.onnx for q4).
 */

export const LOCAL_VLM_DTYPES = ['fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4', 'q4f16', 'bnb4'] as const;
export type LocalVlmDtype = (typeof LOCAL_VLM_DTYPES)[number];

/** The three sessions transformers.js opens for Qwen2VLForConditionalGeneration. */
export const LOCAL_VLM_SESSIONS = ['vision_encoder', 'embed_tokens', 'decoder_model_merged'] as const;
export type LocalVlmSession = (typeof LOCAL_VLM_SESSIONS)[number];

/** One dtype for all three graphs, or one per graph (e.g. fp16 vision, q4 decoder). */
export type LocalVlmDtypeOption = LocalVlmDtype | Partial<Record<LocalVlmSession, LocalVlmDtype>>;

/** transformers.js utils/dtypes.js DEFAULT_DTYPE_SUFFIX_MAPPING. */
const SUFFIX: Record<LocalVlmDtype, string> = {
  fp32: '',
  fp16: '_fp16',
  q8: '_quantized',
  int8: '_int8',
  uint8: '_uint8',
  q4: '_q4',
  q4f16: '_q4f16',
  bnb4: '_bnb4',
};

export const LOCAL_VLM_JSON_FILES = ['config.json', 'preprocessor_config.json', 'tokenizer.json', 'tokenizer_config.json'] as const;

/** fp32 on CPU is what transformers.js loads when no dtype is given. */
export function dtypeOf(option: LocalVlmDtypeOption | undefined, session: LocalVlmSession): LocalVlmDtype {
  if (option === undefined) return 'fp32';
  if (typeof option === 'string') return option;
  return option[session] ?? 'fp32';
}

/** The files the folder must hold for this dtype choice, relative to the folder. */
export function requiredFiles(dtype?: LocalVlmDtypeOption): string[] {
  return [...LOCAL_VLM_JSON_FILES, ...LOCAL_VLM_SESSIONS.map((s) => `onnx/${s}${SUFFIX[dtypeOf(dtype, s)]}.onnx`)];
}

export interface FolderState {
  dir: string;
  /** Required files that are not there (relative paths). */
  missing: string[];
}

/**
 * Which files are missing. With no dtype configured, the folder's own default applies
 * (config.json "transformers.js_config".dtype), as transformers.js does.
 */
export function inspectFolder(dir: string, dtype?: LocalVlmDtypeOption): FolderState {
  const chosen = dtype ?? folderDtype(dir);
  if (!existsSync(dir)) return { dir, missing: requiredFiles(chosen) };
  return { dir, missing: requiredFiles(chosen).filter((f) => !existsSync(path.join(dir, f))) };
}

/** config.json "transformers.js_config".dtype, when the export sets one we know. */
export function folderDtype(dir: string): LocalVlmDtypeOption | undefined {
  let v: unknown;
  try {
    const config = JSON.parse(readFileSync(path.join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    v = (config['transformers.js_config'] as { dtype?: unknown } | undefined)?.dtype;
  } catch {
    return undefined;
  }
  const known = (d: unknown): d is LocalVlmDtype => typeof d === 'string' && (LOCAL_VLM_DTYPES as readonly string[]).includes(d);
  if (known(v)) return v;
  if (v && typeof v === 'object') {
    const out: Partial<Record<LocalVlmSession, LocalVlmDtype>> = {};
    for (const s of LOCAL_VLM_SESSIONS) {
      const d = (v as Record<string, unknown>)[s];
      if (known(d)) out[s] = d;
    }
    return out;
  }
  return undefined;
}

export const INSTALL_HINT =
  'export or download a Qwen2-VL ONNX folder (ShowUI-2B or OS-Atlas-Base-7B) as models/README.md "Local VLM grounder" describes, and set grounding.localVlm.dir to it';

/** "model not installed: …" naming the folder, what is missing, and where the instructions are. */
export function notInstalledError(state: FolderState): ModelError {
  const what = !existsSync(state.dir) ? `the folder ${state.dir} does not exist` : `${state.dir} lacks ${state.missing.join(', ')}`;
  return new ModelError(`model not installed: ${what}; ${INSTALL_HINT}`, 'MODEL');
}

/** grounding.localVlm with its defaults, the folder resolved against `baseDir`. */
export function localVlmSettings(c: LocalVlmConfig | undefined, baseDir = process.cwd()): LocalVlmConfig {
  const settings = c ?? LocalVlmConfig.parse({});
  return { ...settings, dir: path.resolve(baseDir, settings.dir) };
}
