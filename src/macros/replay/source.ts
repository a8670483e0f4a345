import path from 'node:path';
import { AppError, errorMessage } from '../../shared/errors.js';
import type { Point } from '../../shared/geometry.js';
import { nullLogger, type Logger } from '../../shared/logger.js';
import type { Confirmer, Observation, ProposedStep, ScreenSource, StepContext, StepSource } from '../../shared/ports.js';
import { describeStep, type Step } from '../../shared/steps.js';
import { substituteDeep, type Anchors, type Macro, type MacroAction, type MacroNode, type ParamValue, type Row } from '../format/index.js';
import { repairFor, type Repair } from './repair.js';
import type { LadderGrounder } from './ladder.js';
import { verifyExpect } from './verify.js';

export interface MacroSourceOptions {
  params: Record<string, ParamValue>;
  ladder: LadderGrounder;
  screen: ScreenSource;
  /** The rows of a `repeat: { for_each_row: REF }` (the CSV beside the macro, or --data). */
  rows: (ref: string) => Row[];
  /** Asked for `on_error: ask`; absent means nobody is there, and the run fails closed. */
  confirmer?: Confirmer;
  /**
   * Reads the whole screen (replay otherwise reads near each target only). Called before a
   * step types a secret: every screenshot kept after it is masked by reading the screen, and
   * with this reading those become reads of what changed, short, rather than a whole first
   * read right after the typing.
   */
  readWhole?: (observation: Observation, signal?: AbortSignal) => Promise<void>;
  /** The OCR text at a point of an observation, to heal a step whose text changed. */
  textAt?: (observation: Observation, point: Point, signal?: AbortSignal) => Promise<string | undefined>;
  logger?: Logger;
}

interface Level {
  nodes: MacroNode[];
  i: number;
  row?: Row;
}

interface Pending {
  node: MacroAction;
  row?: Row;
  step: Step;
  attempts: number;
  before?: Observation;
}

/**
 * Walks a macro for the engine, one step at a time: parameters filled in, `if visible` decided
 * on the current screen, `repeat` unrolled row by row, each step's postcondition checked and its
 * error policy applied (retry n, skip, ask a person, fail). Notes repairs for healing when a
 * step was found by a lower rung than recorded or its landmarks moved; never writes them.
 */
export class MacroStepSource implements StepSource {
  /** Repairs found during the replay, for `deskpilot macro heal`. */
  readonly repairs: Repair[] = [];
  /** Steps that failed and were skipped by their error policy, in words. */
  readonly skipped: string[] = [];
  private readonly stack: Level[];
  private pending: Pending | undefined;
  private readonly logger: Logger;

  constructor(private readonly macro: Macro, private readonly options: MacroSourceOptions) {
    this.stack = [{ nodes: macro.program, i: 0 }];
    this.logger = (options.logger ?? nullLogger).child({ macro: macro.name });
  }

  async next(context: StepContext, signal?: AbortSignal): Promise<ProposedStep | null> {
    const sig = signal ?? new AbortController().signal;
    const p = this.pending;
    if (p) {
      const failure = context.lastError?.message ?? (await this.check(p, context.observation, sig));
      if (failure === undefined) await this.noteRepair(p, sig);
      else {
        const retryAgain = await this.onFailure(p, failure, context, sig);
        if (retryAgain) return this.propose(p, context);
        if (retryAgain === null) return null;
      }
      this.pending = undefined;
    }
    const found = await this.advance(context.observation, sig);
    if (!found) {
      // The engine counts a failure the macro chose to skip as the run's failure unless a step follows.
      if (context.lastError) return { step: { kind: 'done', success: true, summary: `finished; skipped: ${this.skipped.join('; ')}` } };
      return null;
    }
    const step = substituteDeep(found.node.step, this.options.params, found.row);
    // A long read right after typing would also hold up the key echoes that tell the takeover
    // watch the keys were the agent's own.
    if (step.kind === 'type' && step.text.includes('{{secret:')) await this.options.readWhole?.(context.observation, sig);
    return this.propose({ node: found.node, ...(found.row ? { row: found.row } : {}), step, attempts: 0 }, context);
  }

  private propose(p: Pending, context: StepContext): ProposedStep {
    p.before = context.observation;
    this.pending = p;
    const anchors = p.node.anchors ? this.cropsBeside(substituteDeep(p.node.anchors, this.options.params, p.row)) : undefined;
    this.options.ladder.intent = {
      key: keyOf(p.node),
      runId: context.runId,
      step: p.step,
      irreversible: p.node.irreversible,
      ...(anchors ? { anchors } : {}),
    };
    return { step: p.step, thought: `${this.macro.file}:${p.node.where.line}` };
  }

  /** `anchors.template` names a crop in `<name>.crops/`; the template rung resolves paths from the macro's folder. */
  private cropsBeside(anchors: Anchors): Anchors {
    const t = anchors.template;
    if (t === undefined || path.isAbsolute(t) || t.includes('/')) return anchors;
    const stem = path.basename(this.macro.file).replace(/\.ya?ml$/i, '');
    return { ...anchors, template: `${stem}.crops/${t}` };
  }

  private async check(p: Pending, now: Observation, signal: AbortSignal): Promise<string | undefined> {
    if (!p.node.expect || !p.before) return undefined;
    return verifyExpect(p.node.expect, this.options.screen, this.options.ladder, p.before.frame, now, signal);
  }

  /** true: run the step again; false: go on with the next step; null: stop (the engine fails the run). */
  private async onFailure(p: Pending, failure: string, context: StepContext, signal: AbortSignal): Promise<boolean | null> {
    const policy = p.node.onError;
    const what = `${describeStep(p.step)} (${this.macro.file}:${p.node.where.line})`;
    if (typeof policy === 'object' && p.attempts < policy.retry) {
      p.attempts++;
      this.logger.info({ step: what, attempt: p.attempts, failure }, 'retrying a macro step');
      return true;
    }
    if (policy === 'skip') {
      this.skipped.push(`${what}: ${failure}`);
      return false;
    }
    if (policy === 'ask' && this.options.confirmer) {
      const answer = await this.options.confirmer.confirm(
        { runId: context.runId, step: p.step, reasons: [`the step failed: ${failure}; go on with the next step?`] },
        signal,
      );
      if (answer === 'allow_once' || answer === 'allow_run') {
        this.skipped.push(`${what}: ${failure} (a person chose to go on)`);
        return false;
      }
    }
    if (context.lastError) return null;
    throw new AppError('MACRO_EXPECT_FAILED', `${what}: ${failure}`);
  }

  private async noteRepair(p: Pending, signal: AbortSignal): Promise<void> {
    const result = this.options.ladder.results.get(keyOf(p.node));
    if (!result || !p.before) return;
    this.options.ladder.results.delete(keyOf(p.node));
    try {
      const repair = await repairFor(p.node, result, p.before, this.options.textAt, signal);
      if (repair && !this.repairs.some((r) => r.key === repair.key)) this.repairs.push(repair);
    } catch (err) {
      if (signal.aborted) throw err;
      this.logger.warn({ error: errorMessage(err) }, 'could not work out a repair');
    }
  }

  private async advance(obs: Observation, signal: AbortSignal): Promise<{ node: MacroAction; row?: Row } | undefined> {
    for (;;) {
      const top = this.stack[this.stack.length - 1];
      if (!top) return undefined;
      const node = top.nodes[top.i++];
      if (!node) {
        this.stack.pop();
        continue;
      }
      const row = top.row;
      if (node.type === 'action') return { node, ...(row ? { row } : {}) };
      if (node.type === 'if') {
        const target = substituteDeep(node.target, this.options.params, row);
        const seen = await this.options.ladder.isVisible(obs, target, signal);
        this.stack.push({ nodes: seen === node.visible ? node.then : node.else, i: 0, ...(row ? { row } : {}) });
        continue;
      }
      const rows = node.forEachRow !== undefined ? this.options.rows(node.forEachRow) : Array.from({ length: node.times ?? 1 }, () => row);
      // Pushed last row first, so that the first row runs first.
      for (const r of [...rows].reverse()) this.stack.push({ nodes: node.steps, i: 0, ...(r ? { row: r } : {}) });
    }
  }
}

export function keyOf(node: MacroAction): string {
  return node.path.join('/');
}
