import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { VlmGrounder, type VlmFormat } from '../../../src/grounding/vlm/index.js';
import { OpenAiModelClient } from '../../../src/planner/model/client.js';
import type { Box } from '../../../src/shared/geometry.js';
import type { Observation } from '../../../src/shared/ports.js';
import { startModelServer, type ModelServer, type RecordedRequest } from '../../fakes/model-server.js';

// The grounder end to end through the real OpenAI client and real HTTP to the scripted server.
// The screen: a 2x display whose logical area is 800x500 at desktop (1280, 100), so the frame is
// 1600x1000 physical pixels. Every scripted answer below means "25% across, 75% down", which is
// frame pixel (400, 750) and desktop point (1280 + 200, 100 + 375).
const BOUNDS: Box = { x: 1280, y: 100, width: 800, height: 500 };
const EXPECTED = { x: 1480, y: 475 };

function observation(): Observation {
  const width = 1600;
  const height = 1000;
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      data[i] = x & 255;
      data[i + 1] = y & 255;
      data[i + 2] = 128;
      data[i + 3] = 255;
    }
  }
  return { frame: { displayId: 'b', width, height, data, desktopBounds: BOUNDS, scaleFactor: 2, capturedAt: 0 }, displays: [] };
}

let server: ModelServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function client(baseURL: string): OpenAiModelClient {
  return new OpenAiModelClient({ endpoints: { grounder: { baseURL, model: 'grounding-model', timeoutMs: 5000, maxRetries: 0 } } });
}

interface SentImage {
  mime: string;
  width: number;
  height: number;
}
type Part = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } };

function parts(req: RecordedRequest): Part[] {
  const body = req.body as { messages: Array<{ role: string; content: Part[] | string }> };
  expect(body.messages).toHaveLength(1);
  expect(body.messages[0]!.role).toBe('user');
  return body.messages[0]!.content as Part[];
}

/** The image part of a request, decoded by sharp. */
async function sentImage(req: RecordedRequest): Promise<SentImage> {
  const bytes = imageBytes(req);
  const meta = await sharp(bytes.data).metadata();
  return { mime: bytes.mime, width: meta.width, height: meta.height };
}

function imageBytes(req: RecordedRequest): { mime: string; data: Buffer } {
  const img = parts(req).find((p) => p.type === 'image_url');
  if (!img) throw new Error('the request has no image part');
  const m = /^data:(image\/\w+);base64,(.+)$/.exec(img.image_url.url);
  if (!m) throw new Error(`not a data URL: ${img.image_url.url.slice(0, 40)}`);
  return { mime: m[1]!, data: Buffer.from(m[2]!, 'base64') };
}

/** PNG width/height from the IHDR chunk: scripted replies are synchronous, sharp is not. */
function pngSize(req: RecordedRequest): { width: number; height: number } {
  const { data } = imageBytes(req);
  return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
}

const texts = (req: RecordedRequest): string[] => parts(req).flatMap((p) => (p.type === 'text' ? [p.text] : []));

interface FormatCase {
  format: VlmFormat;
  /** The scripted answer for an image of this size. */
  answer: (w: number, h: number) => string;
  prompt: RegExp;
  box?: Box;
}

const CASES: FormatCase[] = [
  {
    format: 'os-atlas-7b',
    answer: () => '<|object_ref_start|>Save<|object_ref_end|><|box_start|>(200,700),(300,800)<|box_end|><|im_end|>',
    prompt: /^In this UI screenshot, what is the position of the element corresponding to the command "the first 'Save' button" \(with bbox\)\?$/,
    // 0.2..0.3 x 1600 = 320..480 px -> 160..240 logical; 0.7..0.8 x 1000 = 700..800 px -> 350..400.
    box: { x: 1280 + 160, y: 100 + 350, width: 80, height: 50 },
  },
  {
    format: 'os-atlas-4b',
    answer: () => '[[250, 750]]',
    prompt: /^In the screenshot of this web page, please give me the coordinates of the element I want to click on according to my instructions\(with point\)\.\n"the first 'Save' button"$/,
  },
  { format: 'showui', answer: () => '[0.25, 0.75]', prompt: /^the first 'Save' button$/ },
  { format: 'uground', answer: () => '(250, 750)', prompt: /Your answer should be a single string \(x, y\)[\s\S]*Description: the first 'Save' button\n\nAnswer:$/ },
  {
    format: 'ui-tars',
    answer: (w, h) => `Thought: The Save button.\nAction: click(point='<point>${w / 4} ${(3 * h) / 4}</point>')`,
    prompt: /## Action Space\nclick\(point='<point>x1 y1<\/point>''\)\n\n## User Instruction\nthe first 'Save' button$/,
  },
];

describe('VLM grounder over real HTTP', () => {
  it.each(CASES)('$format: sends its prompt and a budgeted image, and lands on the desktop point', async (c) => {
    server = await startModelServer([
      (req) => {
        const { width, height } = pngSize(req);
        return { content: c.answer(width, height) };
      },
    ]);
    const grounder = new VlmGrounder({ model: client(server.baseURL), format: c.format });
    const r = await grounder.locate(observation(), { text: 'Save', role: 'button', ordinal: 1 });

    const req = server.requests[0]!;
    expect(req.path).toBe('/v1/chat/completions');
    expect((req.body as { model: string; temperature: number }).temperature).toBe(0);
    const img = await sentImage(req);
    expect(img.mime).toBe('image/png');
    // Qwen-style budget: sides multiples of 28, at most 1344·28² pixels, aspect kept.
    expect(img.width % 28).toBe(0);
    expect(img.height % 28).toBe(0);
    expect(img.width * img.height).toBeLessThanOrEqual(1344 * 28 * 28);
    expect(img).toMatchObject({ width: 1288, height: 784 });
    const t = texts(req);
    expect(t[t.length - 1]).toMatch(c.prompt);
    if (c.format === 'showui') {
      // ShowUI's instruction text comes first, then the image, then the query.
      expect(parts(req).map((p) => p.type)).toEqual(['text', 'image_url', 'text']);
      expect(t[0]).toMatch(/^Based on the screenshot of the page, .* scaled from 0 to 1\.$/);
    } else {
      expect(parts(req).map((p) => p.type)).toEqual(['image_url', 'text']);
    }

    expect(r.point.x).toBeCloseTo(EXPECTED.x, 6);
    expect(r.point.y).toBeCloseTo(EXPECTED.y, 6);
    expect(r.source).toBe('vlm');
    expect(r.alternatives).toEqual([]);
    if (c.box) {
      const b = r.box!;
      [b.x, b.y, b.width, b.height].forEach((v, i) => expect(v).toBeCloseTo([c.box!.x, c.box!.y, c.box!.width, c.box!.height][i]!, 6));
    } else {
      expect(r.box).toBeUndefined();
    }
    expect(grounder.lastExchange).toMatchObject({ instruction: "the first 'Save' button", image: { width: 1288, height: 784 } });
  });

  it('respects a smaller pixel budget and JPEG encoding', async () => {
    server = await startModelServer([{ content: '[0.25, 0.75]' }]);
    const grounder = new VlmGrounder({ model: client(server.baseURL), format: 'showui', maxPixels: 400 * 28 * 28, encoding: 'jpeg' });
    const r = await grounder.locate(observation(), { description: 'the Save button' });
    const img = await sentImage(server.requests[0]!);
    expect(img.mime).toBe('image/jpeg');
    expect(img.width * img.height).toBeLessThanOrEqual(400 * 28 * 28);
    expect(img.width % 28 + (img.height % 28)).toBe(0);
    expect(r.point.x).toBeCloseTo(EXPECTED.x, 6);
    expect(r.point.y).toBeCloseTo(EXPECTED.y, 6);
  });

  it('sends only the region hint and maps the answer back inside it', async () => {
    server = await startModelServer([{ content: '(500, 500)' }]);
    const grounder = new VlmGrounder({ model: client(server.baseURL), format: 'uground' });
    // Desktop region 200x100 at (1380, 200) = frame pixels 200..600 x 200..400.
    const r = await grounder.locate(observation(), { description: 'OK', region: { x: 1380, y: 200, width: 200, height: 100 } });
    const img = await sentImage(server.requests[0]!);
    expect(img.width / img.height).toBeCloseTo(2, 1);
    expect(r.point).toEqual({ x: 1480, y: 250 });
  });

  it('keeps a point on the screen when the model answers the far edge', async () => {
    server = await startModelServer([{ content: '(1000, 1000)' }]);
    const r = await new VlmGrounder({ model: client(server.baseURL), format: 'uground' }).locate(observation(), { text: 'x' });
    expect(r.point.x).toBeLessThan(BOUNDS.x + BOUNDS.width);
    expect(r.point.y).toBeLessThan(BOUNDS.y + BOUNDS.height);
    expect(r.point.x).toBeGreaterThanOrEqual(BOUNDS.x + BOUNDS.width - 1);
  });

  it('rejects a garbage answer with a ModelError that quotes it', async () => {
    server = await startModelServer([{ content: "I'm sorry, I cannot help with that." }]);
    const grounder = new VlmGrounder({ model: client(server.baseURL), format: 'os-atlas-7b' });
    await expect(grounder.locate(observation(), { text: 'Save' })).rejects.toMatchObject({
      name: 'ModelError',
      code: 'MODEL_BAD_OUTPUT',
      message: expect.stringContaining(`"I'm sorry, I cannot help with that."`) as unknown,
    });
  });

  it('says clearly when no model is configured', async () => {
    const none = new VlmGrounder({ model: undefined, format: 'showui' });
    await expect(none.locate(observation(), { text: 'Save' })).rejects.toMatchObject({ name: 'GroundingError', code: 'GROUNDING' });
    await expect(none.locate(observation(), { text: 'Save' })).rejects.toThrow(/no model: set models\.grounder/);
    // A client with a planner endpoint only: the grounder role is not configured.
    const plannerOnly = new OpenAiModelClient({ endpoints: { planner: { baseURL: 'http://127.0.0.1:9/v1', model: 'm', timeoutMs: 1000, maxRetries: 0 } } });
    await expect(new VlmGrounder({ model: plannerOnly, format: 'showui' }).locate(observation(), { text: 'Save' })).rejects.toThrow(
      /no model is configured for the grounder role \(set models\.grounder/,
    );
  });

  it('says clearly when the endpoint is down', async () => {
    server = await startModelServer([]);
    const baseURL = server.baseURL;
    await server.close();
    server = undefined;
    const grounder = new VlmGrounder({ model: client(baseURL), format: 'ui-tars' });
    await expect(grounder.locate(observation(), { text: 'Save' })).rejects.toMatchObject({
      name: 'ModelError',
      code: 'MODEL_UNREACHABLE',
      message: expect.stringMatching(new RegExp(`^${baseURL.replace(/[.]/g, '\\.')} \\(model grounding-model\\): cannot connect`)) as unknown,
    });
  });

  it('needs words to send, and stops when aborted', async () => {
    const grounder = new VlmGrounder({ model: client('http://127.0.0.1:9/v1'), format: 'showui' });
    await expect(grounder.locate(observation(), { image: 'crop.png' })).rejects.toThrow(/needs a description or the visible text of image crop\.png/);
    const ac = new AbortController();
    ac.abort();
    await expect(grounder.locate(observation(), { text: 'Save' }, ac.signal)).rejects.toMatchObject({ name: 'Aborted' });
    expect(() => new VlmGrounder({ model: undefined, format: 'seeclick' as VlmFormat })).toThrow(/unknown VLM grounder format "seeclick"/);
  });
});
