import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Policy } from '../../actions/policy/policy.js';
import type { RunControl } from '../../engine/control.js';
import type { EngineDeps } from '../../engine/deps.js';
import { Engine, type RunResult } from '../../engine/engine.js';
import type { ObservationPerception } from '../../grounding/perception.js';
import { UserInputError } from '../../shared/errors.js';
import type { Grounder, Observation } from '../../shared/ports.js';
import type { Step } from '../../shared/steps.js';
import { parseCsv, resolveParams, type Macro, type Row } from '../format/index.js';
import type { Repair } from './repair.js';
import { createReplayGrounding } from './setup.js';
import { MacroStepSource } from './source.js';

export interface ReplayOptions {
  /** `--param k=v`, as text; checked against the macro's declared types. */
  params?: Record<string, string>;
  /** `--data rows.csv`: the rows of every `repeat: { for_each_row }`, instead of the file each names. */
  dataFile?: string;
  control?: RunControl;
  signal?: AbortSignal;
  vlm?: Grounder;
  /** Ladder thresholds (tests and benchmarks). */
  minConfidence?: number;
  templateThreshold?: number;
  /**
   * Read the area around each target's recorded place first, and the whole screen only when
   * that is not conclusive (default true; false reads every new screen whole, the old way).
   */
  localFirst?: boolean;
}

export interface ReplayResult extends RunResult {
  repairs: Repair[];
  skipped: string[];
  /** Targets found near their recorded place, and those looked for there that needed the whole screen. */
  lookedNear: { found: number; wholeScreen: number };
}

/**
 * Replays a macro on the engine: the same run loop, safety gate and run history as any run
 * (kind 'macro'), with the replay ladder as the grounder. Repairs are returned, never written.
 */
export async function replayMacro(
  deps: EngineDeps,
  perception: ObservationPerception,
  macro: Macro,
  options: ReplayOptions = {},
): Promise<ReplayResult> {
  const params = resolveParams(macro.params, options.params ?? {}, macro.file);
  const baseDir = path.dirname(path.resolve(macro.file));
  const { ladder, textAt } = createReplayGrounding({
    perception,
    baseDir,
    confirmer: deps.confirmer,
    logger: deps.logger,
    ...(options.vlm ? { vlm: options.vlm } : {}),
    ...(options.minConfidence !== undefined ? { minConfidence: options.minConfidence } : {}),
    ...(options.templateThreshold !== undefined ? { templateThreshold: options.templateThreshold } : {}),
    ...(options.localFirst !== undefined ? { localFirst: options.localFirst } : {}),
  });
  const cache = new Map<string, Row[]>();
  const rows = (ref: string): Row[] => {
    const file = options.dataFile ? path.resolve(options.dataFile) : path.resolve(baseDir, ref);
    let r = cache.get(file);
    if (!r) {
      r = parseCsv(readCsv(file), file);
      cache.set(file, r);
    }
    return r;
  };
  // Read data up front, so that a missing CSV is a bad command line, not a failed step mid-run.
  if (options.dataFile) rows('');
  const source = new MacroStepSource(macro, {
    params,
    ladder,
    screen: deps.screen,
    rows,
    confirmer: deps.confirmer,
    textAt,
    logger: deps.logger,
    ...(options.localFirst !== false ? { readWhole: async (obs: Observation, signal?: AbortSignal) => void (await perception.ocr(obs, signal)) } : {}),
  });
  const nearby = deps.nearbyText;
  const engine = new Engine({
    ...deps,
    grounder: ladder,
    ...(nearby && options.localFirst !== false
      ? {
          // The safety gate reads the text around a target (a whole-screen read) for the policy's
          // context rules; a step that no context could make riskier does not need it.
          nearbyText: async (obs, point) => {
            const intent = ladder.intent;
            const text = intent ? ladder.results.get(intent.key)?.location.text : undefined;
            return intent && !contextCanMatter(deps.policy, intent.step, text) ? [] : nearby(obs, point);
          },
        }
      : {}),
  });
  const result = await engine.run({
    source,
    title: `macro: ${macro.name}`,
    kind: 'macro',
    meta: { macro: macro.file, params },
    ...(options.control ? { control: options.control } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return { ...result, repairs: source.repairs, skipped: source.skipped, lookedNear: { found: ladder.stats.near, wholeScreen: ladder.stats.whole } };
}

/** Whether any text around the target could change what the policy says about this step. */
export function contextCanMatter(policy: Policy, step: Step, targetText?: string): boolean {
  const words = policy.rules.flatMap((r) => r.context_words ?? []);
  if (words.length === 0) return false;
  const rules = (nearbyText: string[]) =>
    policy
      .classify({ step, nearbyText, ...(targetText ? { targetText } : {}) })
      .matches.map((m) => m.ruleId)
      .sort()
      .join();
  return rules(words) !== rules([]);
}

function readCsv(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new UserInputError(`cannot read the data file ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}
