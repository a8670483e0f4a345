import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disposeLocalVlms, LocalVlmGrounder, loadLocalVlm } from '../../../src/grounding/vlm/index.js';
import type { Box } from '../../../src/shared/geometry.js';
import type { Observation } from '../../../src/shared/ports.js';
import { writeOnnx } from '../../fakes/onnx-writer.js';
import { smartResize } from '../../../src/shared/coords.js';
import { embedTokensGraph, writeTinyQwen2Vl } from '../../fakes/tiny-qwen2vl.js';

// The local VLM grounder end to end on a tiny Qwen2-VL folder the test writes itself (three
// real ONNX graphs with the export's input/output names, a byte-level BPE tokenizer with the
// Qwen2-VL special tokens and chat template), loaded by transformers.js on onnxruntime-node
// with remote loading off. The tiny model answers where the brightest 28x28 block of the image
// it was given is, so the answer follows a white square around the screen.
//
// The screen: a 2x display, 1010x690 physical pixels (not multiples of 28: the processor
// smart-resizes to 1008x700), showing the desktop area 505x345 at (100, 50).
const WIDTH = 1010;
const HEIGHT = 690;
const BOUNDS: Box = { x: 100, y: 50, width: 505, height: 345 };

function screenWithSquare(sx: number, sy: number, size = 56): Observation {
  const data = new Uint8Array(WIDTH * HEIGHT * 4);
  for (let i = 0; i < WIDTH * HEIGHT; i++) {
    data[i * 4] = 30;
    data[i * 4 + 1] = 40;
    data[i * 4 + 2] = 50;
    data[i * 4 + 3] = 255;
  }
  for (let y = sy; y < sy + size; y++) {
    for (let x = sx; x < sx + size; x++) data.fill(255, (y * WIDTH + x) * 4, (y * WIDTH + x) * 4 + 4);
  }
  return { frame: { displayId: 'tiny', width: WIDTH, height: HEIGHT, data, desktopBounds: BOUNDS, scaleFactor: 2, capturedAt: 0 }, displays: [] };
}

/** The desktop box of a square drawn at frame pixel (sx, sy). */
const desktopSquare = (sx: number, sy: number, size = 56): Box => ({ x: BOUNDS.x + sx / 2, y: BOUNDS.y + sy / 2, width: size / 2, height: size / 2 });

function expectInside(p: { x: number; y: number }, b: Box): void {
  expect(p.x).toBeGreaterThanOrEqual(b.x);
  expect(p.x).toBeLessThanOrEqual(b.x + b.width);
  expect(p.y).toBeGreaterThanOrEqual(b.y);
  expect(p.y).toBeLessThanOrEqual(b.y + b.height);
}

let tmp: string;
let showui: string;
let atlas: string;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'vlm-local-'));
  showui = await writeTinyQwen2Vl(path.join(tmp, 'showui'), 'showui');
  atlas = await writeTinyQwen2Vl(path.join(tmp, 'atlas'), 'os-atlas-7b');
});

afterAll(async () => {
  await disposeLocalVlms();
  await rm(tmp, { recursive: true, force: true });
});

describe('local VLM grounder (transformers.js, Qwen2-VL layout)', () => {
  it('loads the folder offline, prompts with the instruction, parses the answer and maps it to the desktop', async () => {
    const g = new LocalVlmGrounder({ dir: showui, format: 'showui' });
    const loc = await g.locate(screenWithSquare(300, 200), { text: 'Save', role: 'button' });
    const { env } = await import('@huggingface/transformers');
    expect(env.allowRemoteModels).toBe(false);

    const x = g.lastExchange!;
    // The ShowUI prompt: its system text, then the image, then the instruction, in the Qwen2-VL template.
    expect(x.prompt).toContain("'Save' button");
    expect(x.prompt).toContain('scaled from 0 to 1');
    expect(x.prompt.indexOf('<|vision_start|><|image_pad|>')).toBeLessThan(x.prompt.indexOf("'Save' button"));
    expect(x.prompt.endsWith('<|im_start|>assistant\n')).toBe(true);
    // 1010x690 smart-resized to multiples of 28 within ShowUI's pixel budget.
    expect(x.image).toEqual({ width: 1008, height: 700 });
    // The brightest merged block is column 11 of 36, row 8 of 25: centre (0.319, 0.34).
    expect(x.answer).toBe('[0.31,0.34]');
    expect(loc.source).toBe('vlm-local');
    expect(loc.point.x).toBeCloseTo(BOUNDS.x + 0.31 * BOUNDS.width, 6);
    expect(loc.point.y).toBeCloseTo(BOUNDS.y + 0.34 * BOUNDS.height, 6);
    expectInside(loc.point, desktopSquare(300, 200));
  });

  it('answers from the image: moving the square moves the point', async () => {
    const g = new LocalVlmGrounder({ dir: showui, format: 'showui' });
    const loc = await g.locate(screenWithSquare(820, 560), { description: 'the white square' });
    expect(g.lastExchange!.answer).not.toBe('[0.31,0.34]');
    expect(g.lastExchange!.prompt).toContain('the white square');
    expectInside(loc.point, desktopSquare(820, 560));
  });

  it('two locates at once each get the answer for their own screen', async () => {
    const g = new LocalVlmGrounder({ dir: showui, format: 'showui' });
    const [a, b] = await Promise.all([
      g.locate(screenWithSquare(100, 500), { text: 'A' }),
      g.locate(screenWithSquare(760, 80), { text: 'B' }),
    ]);
    expectInside(a.point, desktopSquare(100, 500));
    expectInside(b.point, desktopSquare(760, 80));
  });

  it('OS-Atlas-7B: its prompt, its 0-1000 box answer, a desktop box around the target', async () => {
    const g = new LocalVlmGrounder({ dir: atlas, format: 'os-atlas-7b' });
    const loc = await g.locate(screenWithSquare(560, 120), { text: 'OK' });
    const x = g.lastExchange!;
    expect(x.prompt).toContain(`what is the position of the element corresponding to the command "'OK'" (with bbox)?`);
    expect(x.answer).toMatch(/^<\|box_start\|>\(\d{3},\d{3}\),\(\d{3},\d{3}\)<\|box_end\|>$/);
    expectInside(loc.point, desktopSquare(560, 120));
    expect(loc.box).toBeDefined();
    expect(loc.box!.width).toBeCloseTo(BOUNDS.width / 36, 0); // one merged block wide
    expectInside({ x: loc.box!.x + loc.box!.width / 2, y: loc.box!.y + loc.box!.height / 2 }, desktopSquare(560, 120));
  });

  it('honours a smaller pixel budget with the same smart resize as shared/coords.ts', async () => {
    const maxPixels = 300 * 28 * 28;
    const g = new LocalVlmGrounder({ dir: atlas, format: 'os-atlas-7b', maxPixels });
    const loc = await g.locate(screenWithSquare(400, 300, 112), { text: 'OK' });
    expect(g.lastExchange!.image).toEqual(smartResize(WIDTH, HEIGHT, { minPixels: 56 * 56, maxPixels }));
    expect(g.lastExchange!.image).toEqual({ width: 560, height: 392 });
    expectInside(loc.point, desktopSquare(400, 300, 112));
  });

  it('loads the folder once per process', async () => {
    const a = await loadLocalVlm({ dir: showui });
    const b = await loadLocalVlm({ dir: path.join(showui, '..', 'showui') });
    expect(a).toBe(b);
    expect(a.inputNames('decoder_model_merged')).toEqual(['inputs_embeds', 'attention_mask', 'position_ids', 'past_key_values.0.key', 'past_key_values.0.value']);
  });

  it('stops between tokens when the signal aborts', async () => {
    const g = new LocalVlmGrounder({ dir: showui, format: 'showui' });
    await g.model();
    // Aborts once generation has started: after the checks before it, at a token.
    let reads = 0;
    const signal = {
      get aborted() {
        return ++reads > 5;
      },
      reason: new Error('stopped by the test'),
    } as unknown as AbortSignal;
    await expect(g.locate(screenWithSquare(300, 200), { text: 'Save' }, signal)).rejects.toThrow('stopped by the test');
    expect(reads).toBeGreaterThan(5);
    expect(g.lastExchange).toBeUndefined();
  });

  it('an absent folder: "model not installed", the folder, and where the instructions are', async () => {
    const dir = path.join(tmp, 'nothing-here');
    const g = new LocalVlmGrounder({ dir, format: 'showui' });
    const err = await g.locate(screenWithSquare(0, 0), { text: 'Save' }).then(
      () => new Error('no error'),
      (e: unknown) => e as Error,
    );
    expect(err.message).toMatch(/^model not installed: the folder .*nothing-here does not exist/);
    expect(err.message).toContain('models/README.md');
    expect(err.message).toContain('grounding.localVlm.dir');
  });

  it('a missing file or a missing dtype variant is named', async () => {
    const dir = await writeTinyQwen2Vl(path.join(tmp, 'partial'), 'showui');
    await rm(path.join(dir, 'tokenizer.json'));
    await expect(loadLocalVlm({ dir })).rejects.toThrow(/model not installed: .*partial lacks tokenizer\.json;/);
    await expect(loadLocalVlm({ dir: showui, dtype: 'q4' })).rejects.toThrow(
      'lacks onnx/vision_encoder_q4.onnx, onnx/embed_tokens_q4.onnx, onnx/decoder_model_merged_q4.onnx',
    );
  });

  it("loads the dtype variant named by the config or by the folder's config.json (transformers.js file suffixes)", async () => {
    const dir = await writeTinyQwen2Vl(path.join(tmp, 'q4'), 'showui');
    for (const name of ['vision_encoder', 'embed_tokens', 'decoder_model_merged']) {
      await rename(path.join(dir, 'onnx', `${name}.onnx`), path.join(dir, 'onnx', `${name}_q4.onnx`));
    }
    await expect(loadLocalVlm({ dir })).rejects.toThrow('lacks onnx/vision_encoder.onnx, onnx/embed_tokens.onnx, onnx/decoder_model_merged.onnx');
    const g = new LocalVlmGrounder({ dir, format: 'showui', dtype: 'q4' });
    expect(g.name).toBe('vlm-local');
    await g.locate(screenWithSquare(300, 200), { text: 'Save' });
    expect(g.lastExchange!.answer).toBe('[0.31,0.34]');

    const config = JSON.parse(await readFile(path.join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    await writeFile(path.join(dir, 'config.json'), JSON.stringify({ ...config, 'transformers.js_config': { dtype: 'q4' } }));
    const m = await loadLocalVlm({ dir });
    expect(m.inputNames('vision_encoder')).toEqual(['pixel_values', 'grid_thw']);
  });

  it('a mismatched or corrupt folder gets a clear error naming the file', async () => {
    const wrong = await writeTinyQwen2Vl(path.join(tmp, 'wrong'), 'showui');
    await writeFile(path.join(wrong, 'onnx', 'decoder_model_merged.onnx'), writeOnnx(embedTokensGraph()));
    await expect(loadLocalVlm({ dir: wrong })).rejects.toThrow(
      /does not load as a Qwen2-VL ONNX export: onnx\/decoder_model_merged\*\.onnx lacks the inputs inputs_embeds, attention_mask, position_ids and outputs logits/,
    );
    const broken = await writeTinyQwen2Vl(path.join(tmp, 'broken'), 'showui');
    await writeFile(path.join(broken, 'onnx', 'vision_encoder.onnx'), 'not a model');
    await expect(loadLocalVlm({ dir: broken })).rejects.toThrow(/broken does not load as a Qwen2-VL ONNX export: .*re-export or re-download/);
    const other = await writeTinyQwen2Vl(path.join(tmp, 'other'), 'showui');
    await writeFile(path.join(other, 'config.json'), JSON.stringify({ model_type: 'llava' }));
    await expect(loadLocalVlm({ dir: other })).rejects.toThrow('config.json has model_type "llava"');
  });
});
