import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { folderDtype, INSTALL_HINT, inspectFolder, localVlmSettings, requiredFiles } from '../../grounding/vlm/index.js';
import type { Config } from '../../shared/config.js';
import type { Check, CheckResult } from './types.js';

export const LOCAL_VLM_CHECK = 'local VLM folder (vlm-local)';

/**
 * Is the local VLM grounder's folder installed? Only its files and config.json are read: a
 * 2B–7B model takes seconds and gigabytes to load, which `deskpilot locate --grounder
 * vlm-local` does. Missing is a failure only when grounding.cascade uses the rung.
 */
export async function localVlmStatus(config: Config, baseDir = process.cwd()): Promise<Omit<CheckResult, 'name'>> {
  const c = localVlmSettings(config.grounding.localVlm, baseDir);
  const used = config.grounding.cascade.includes('vlm-local');
  const dtypeOption = c.dtype ?? folderDtype(c.dir);
  const state = inspectFolder(c.dir, dtypeOption);
  if (state.missing.length) {
    const what = state.missing.length === requiredFiles(dtypeOption).length ? `${c.dir} is not there` : `${c.dir} lacks ${state.missing.join(', ')}`;
    if (!used) return { status: 'skip', detail: `not installed (optional, not in grounding.cascade): ${what}` };
    return { status: 'fail', detail: `model not installed: ${what}`, hint: INSTALL_HINT };
  }
  let type: unknown;
  try {
    type = (JSON.parse(await readFile(path.join(c.dir, 'config.json'), 'utf8')) as { model_type?: unknown }).model_type;
  } catch (err) {
    return { status: 'fail', detail: `${c.dir}/config.json does not parse: ${(err as Error).message}`, hint: INSTALL_HINT };
  }
  if (type !== 'qwen2_vl' && type !== 'qwen2_5_vl') {
    return { status: 'fail', detail: `${c.dir} holds a ${JSON.stringify(type)} model, not Qwen2-VL`, hint: INSTALL_HINT };
  }
  const dtype = typeof dtypeOption === 'string' ? dtypeOption : dtypeOption ? JSON.stringify(dtypeOption) : 'fp32';
  return {
    status: 'ok',
    detail: `installed: ${c.dir} (${String(type)}, format ${c.format}, dtype ${dtype})${used ? '' : "; add 'vlm-local' to grounding.cascade to use it"}`,
  };
}

export const localVlmCheck: Check = {
  name: LOCAL_VLM_CHECK,
  timeoutMs: 10_000,
  run: (ctx) => localVlmStatus(ctx.config),
};
