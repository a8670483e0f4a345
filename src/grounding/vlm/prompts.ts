import type { SmartResizeOptions } from '../../shared/coords.js';
import type { ChatContent, ChatMessage } from '../../shared/ports.js';
import type { Target } from '../../shared/target.js';
import type { VlmFormat } from './parsers.js';

/**
 * Each grounding model was trained on one prompt and answers best (often only) to that prompt,
 * so these are copied from the models' own reference code, with where each came from.
 */

/**
 * OS-Atlas-Base-7B (Qwen2-VL): github.com/OS-Copilot/OS-Atlas README.md, "OS-Atlas-Base-7B"
 * inference example (also the Hugging Face card OS-Copilot/OS-Atlas-Base-7B). Image first, then
 * this text; answer `<|object_ref_start|>…<|object_ref_end|><|box_start|>(576,12),(592,42)<|box_end|>`.
 */
const OS_ATLAS_7B = (instr: string): string =>
  `In this UI screenshot, what is the position of the element corresponding to the command "${instr}" (with bbox)?`;

/**
 * OS-Atlas-Base-4B (InternVL2): same README, "OS-Atlas-Base-4B" example (no space before
 * "(with point)" in the original).
 */
const OS_ATLAS_4B = (instr: string): string =>
  `In the screenshot of this web page, please give me the coordinates of the element I want to click on according to my instructions(with point).\n"${instr}"`;

/**
 * ShowUI-2B: github.com/showlab/ShowUI README / Hugging Face card showlab/ShowUI-2B. `_SYSTEM`
 * is sent as the FIRST TEXT PART of the user turn (not a system message), then the image with
 * min_pixels 256·28² and max_pixels 1344·28², then the query.
 */
const SHOWUI_SYSTEM =
  'Based on the screenshot of the page, I give a text description and you give its corresponding location. The coordinate represents a clickable location [x, y] for an element, which is a relative coordinate on the screenshot, scaled from 0 to 1.';

/**
 * UGround-V1 (Qwen2-VL): github.com/OSU-NLP-Group/UGround grounding/uground_qwen2vl_serve.py,
 * `format_openai_template` (vLLM OpenAI-compatible serving). Image first, then this text.
 */
const UGROUND = (description: string): string => `
Your task is to help the user identify the precise coordinates (x, y) of a specific area/element/object on the screen based on a description.

- Your response should aim to point to the center or a representative point within the described area/element/object as accurately as possible.
- If the description is unclear or ambiguous, infer the most relevant area or element based on its likely context or purpose.
- Your answer should be a single string (x, y) corresponding to the point of the interest.

Description: ${description}

Answer:`;

/**
 * UI-TARS-1.5 (Qwen2.5-VL): github.com/bytedance/UI-TARS codes/ui_tars/prompt.py
 * `GROUNDING_DOUBAO` (the doubled quote after </point> is in the original). The answer is
 * `Action: click(point='<point>x y</point>')` or, from older checkpoints,
 * `click(start_box='(x,y)')`, in absolute pixels of the smart-resized image (action_parser.py).
 */
const UI_TARS = (instr: string): string =>
  `You are a GUI agent. You are given a task and your action history, with screenshots. You need to perform the next action to complete the task. \n\n## Output Format\n\nAction: ...\n\n\n## Action Space\nclick(point='<point>x1 y1</point>'')\n\n## User Instruction\n${instr}`;

/**
 * The image budget per model. The serving side (vLLM, SGLang) resizes again with its processor's
 * own min/max pixels; sending an image already smart-resized within those bounds makes that a
 * no-op, so the model sees exactly the pixels we measured. That matters for UI-TARS, which
 * answers in those pixels. Keep maxPixels at or below the server's.
 */
export const RESIZE: Record<VlmFormat, Required<Pick<SmartResizeOptions, 'minPixels' | 'maxPixels'>>> = {
  // Qwen2-VL processor defaults are 56·56 .. 12845056; 1344·28² keeps requests ~1 MP.
  'os-atlas-7b': { minPixels: 56 * 56, maxPixels: 1344 * 28 * 28 },
  // InternVL tiles the image itself (448 px tiles); relative answers do not depend on our size.
  'os-atlas-4b': { minPixels: 56 * 56, maxPixels: 1344 * 28 * 28 },
  showui: { minPixels: 256 * 28 * 28, maxPixels: 1344 * 28 * 28 },
  uground: { minPixels: 56 * 56, maxPixels: 1344 * 28 * 28 },
  // UI-TARS action_parser.py: MIN_PIXELS 100·28², MAX_PIXELS 16384·28²; we send less than the max.
  'ui-tars': { minPixels: 100 * 28 * 28, maxPixels: 1344 * 28 * 28 },
};

/** The chat messages for one locate call: the model's own prompt around the instruction. */
export function buildMessages(format: VlmFormat, instruction: string, image: ChatContent): ChatMessage[] {
  const text = (t: string): ChatContent => ({ type: 'text', text: t });
  switch (format) {
    case 'os-atlas-7b':
      return [{ role: 'user', content: [image, text(OS_ATLAS_7B(instruction))] }];
    case 'os-atlas-4b':
      return [{ role: 'user', content: [image, text(OS_ATLAS_4B(instruction))] }];
    case 'showui':
      return [{ role: 'user', content: [text(SHOWUI_SYSTEM), image, text(instruction)] }];
    case 'uground':
      return [{ role: 'user', content: [image, text(UGROUND(instruction))] }];
    case 'ui-tars':
      return [{ role: 'user', content: [image, text(UI_TARS(instruction))] }];
  }
}

const ORDINALS = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth'];
const RELATION_WORDS: Record<NonNullable<Target['relation']>['kind'], string> = {
  right_of: 'right of',
  left_of: 'left of',
  above: 'above',
  below: 'below',
  inside: 'inside',
  near: 'near',
};

/**
 * The words the model gets for a target: its description, or its visible text, plus the role,
 * ordinal and landmark, e.g. `the second 'Delete' button right of 'Email'`. Single quotes, as in
 * OS-Atlas's own example ("'Champions League' link"), because several prompts wrap the whole
 * instruction in double quotes. Undefined when the target has nothing a model could read.
 */
export function instructionFor(target: Target): string | undefined {
  const core = target.description ?? (target.text !== undefined ? `'${target.text}'` : undefined);
  if (core === undefined) return undefined;
  const parts: string[] = [];
  if (target.ordinal !== undefined) parts.push(`the ${ORDINALS[target.ordinal - 1] ?? `#${target.ordinal}`}`);
  parts.push(core);
  if (target.role && !core.toLowerCase().includes(target.role.toLowerCase())) parts.push(target.role);
  if (target.relation) parts.push(`${RELATION_WORDS[target.relation.kind]} '${target.relation.text}'`);
  return parts.join(' ');
}
