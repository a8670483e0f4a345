import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_VLM_CHECK, localVlmStatus } from '../../../src/app/doctor/local-vlm.js';
import { doctorChecks } from '../../../src/app/doctor/index.js';
import { setupGrounding } from '../../../src/app/grounding-setup.js';
import { checkModels } from '../../../src/app/models-check.js';
import { disposeLocalVlms } from '../../../src/grounding/vlm/index.js';
import { Config } from '../../../src/shared/config.js';
import { nullLogger } from '../../../src/shared/logger.js';
import type { Observation } from '../../../src/shared/ports.js';
import { writeTinyQwen2Vl } from '../../fakes/tiny-qwen2vl.js';

// The 'vlm-local' rung from config: grounding.localVlm names the folder (relative to the
// working directory), grounding.cascade may list it, doctor and `models check` report it.

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'vlm-local-setup-'));
  await writeTinyQwen2Vl(path.join(tmp, 'models', 'showui-2b'), 'showui');
});
afterAll(async () => {
  await disposeLocalVlms();
  await rm(tmp, { recursive: true, force: true });
});

function observation(): Observation {
  const width = 700;
  const height = 420;
  const data = new Uint8Array(width * height * 4);
  for (let i = 3; i < data.length; i += 4) data[i] = 255;
  for (let y = 100; y < 160; y++) for (let x = 500; x < 560; x++) data.fill(255, (y * width + x) * 4, (y * width + x) * 4 + 3);
  return { frame: { displayId: 'd', width, height, data, desktopBounds: { x: 0, y: 0, width, height }, scaleFactor: 1, capturedAt: 0 }, displays: [] };
}

describe('vlm-local from config', () => {
  it('is a cascade rung named vlm-local, loading the configured folder relative to the base dir', async () => {
    const config = Config.parse({ grounding: { cascade: ['vlm-local'], localVlm: { dir: 'models/showui-2b', format: 'showui' } } });
    const g = setupGrounding(config, nullLogger, tmp);
    try {
      expect(Object.keys(g.byName)).toContain('vlm-local');
      const loc = await g.grounder.locate(observation(), { description: 'the white square' });
      expect(loc.source).toBe('vlm-local');
      expect(loc.point.x).toBeGreaterThanOrEqual(500);
      expect(loc.point.x).toBeLessThan(560);
      expect(loc.point.y).toBeGreaterThanOrEqual(100);
      expect(loc.point.y).toBeLessThan(160);
    } finally {
      await g.ocr.dispose();
    }
  });

  it('is not in the default cascade, but --grounder vlm-local finds it and says how to install it', async () => {
    const config = Config.parse({});
    expect(config.grounding.cascade).not.toContain('vlm-local');
    const g = setupGrounding(config, nullLogger, tmp);
    try {
      await expect(g.byName['vlm-local']!.locate(observation(), { text: 'OK' })).rejects.toThrow(
        /model not installed: the folder .*models\/vlm-local does not exist; .*models\/README\.md/,
      );
    } finally {
      await g.ocr.dispose();
    }
  });

  it('doctor and models check: installed, optional and absent, or absent but used (with the fix)', async () => {
    const installed = await localVlmStatus(Config.parse({ grounding: { localVlm: { dir: 'models/showui-2b' } } }), tmp);
    expect(installed.status).toBe('ok');
    expect(installed.detail).toContain('qwen2_vl, format showui, dtype fp32');

    const optional = await localVlmStatus(Config.parse({}), tmp);
    expect(optional.status).toBe('skip');
    expect(optional.detail).toMatch(/^not installed \(optional/);

    const used = await localVlmStatus(Config.parse({ grounding: { cascade: ['text', 'vlm-local'], localVlm: { dir: 'models/showui-2b', dtype: 'q4' } } }), tmp);
    expect(used.status).toBe('fail');
    expect(used.detail).toContain('lacks onnx/vision_encoder_q4.onnx');
    expect(used.hint).toContain('models/README.md');

    expect(doctorChecks().map((c) => c.name)).toContain(LOCAL_VLM_CHECK);
    const checks = await checkModels(Config.parse({ grounding: { localVlm: { dir: path.join(tmp, 'models', 'showui-2b') } } }));
    expect(checks.find((c) => c.name === LOCAL_VLM_CHECK)?.status).toBe('ok');
  });
});
