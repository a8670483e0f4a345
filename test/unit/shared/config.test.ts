import { describe, expect, it } from 'vitest';
import { Config, envLayer, mergeLayers } from '../../../src/shared/config.js';

describe('config layers', () => {
  it('merges objects key by key and replaces arrays', () => {
    const merged = mergeLayers(
      { logLevel: 'info', grounding: { cascade: ['text', 'vlm'], templateThreshold: 0.7 } },
      { grounding: { cascade: ['template'] } },
      { logLevel: 'debug' },
    );
    expect(merged).toEqual({ logLevel: 'debug', grounding: { cascade: ['template'], templateThreshold: 0.7 } });
  });

  it('reads only the documented environment variables, with numbers as numbers', () => {
    const layer = envLayer({
      DESKPILOT_MODEL_BASE_URL: 'http://127.0.0.1:8000/v1',
      DESKPILOT_MODEL: 'qwen2.5-vl',
      DESKPILOT_MAX_STEPS: '12',
      HOME: '/root',
    });
    expect(layer).toEqual({
      models: { planner: { baseURL: 'http://127.0.0.1:8000/v1', model: 'qwen2.5-vl' } },
      engine: { maxSteps: 12 },
    });
    const config = Config.parse(layer);
    expect(config.models.planner?.timeoutMs).toBe(60_000);
    expect(config.engine.stepTimeoutMs).toBe(60_000);
  });

  it('rejects unknown keys so that typos do not pass silently', () => {
    const r = Config.safeParse({ logLevle: 'debug' });
    expect(r.success).toBe(false);
  });
});
