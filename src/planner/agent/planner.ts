import type { Box } from '../../shared/geometry.js';
import { nullLogger, type Logger } from '../../shared/logger.js';
import type { ChatContent, Frame, ModelClient, Observation, ProposedStep, StepContext, StepSource, UiElement } from '../../shared/ports.js';
import { describeStep, type Step } from '../../shared/steps.js';
import { fenceScreenText, looksLikeInjection } from './injection.js';
import { askJson } from './json.js';
import { DECISION_SYSTEM, MANAGER_SYSTEM, MEMORY_SYSTEM, PLANNING_SYSTEM, REFLECTION_SYSTEM } from './prompts.js';
import { DecisionOutput, ManagerOutput, MemoryOutput, ProgressOutput, ReflectionOutput } from './schema.js';
import { deterministicCheck } from './verify.js';

export interface ModelImage {
  base64: string;
  mime: 'image/png' | 'image/jpeg';
  width: number;
  height: number;
}

export interface PlannerDeps {
  model: ModelClient;
  /** The perception list of an observation (OCR + element proposals), desktop coordinates. */
  perceive: (observation: Observation, signal?: AbortSignal) => Promise<UiElement[]>;
  /** The screenshot resized to the model's pixel budget. */
  encodeForModel: (frame: Frame) => Promise<ModelImage>;
  /** Changed regions between two frames, desktop coordinates. */
  changes: (a: Frame, b: Frame) => Box[];
  logger?: Logger;
  /** Called with screen text that reads like an instruction to the agent. */
  onInjection?: (text: string, runId: string) => void;
  /** Steps of a macro given as a standard operating procedure (MobileAgent-SOP). */
  sop?: string;
  historyWindow?: number;
  /**
   * 'deskpilot' (default): memory and progress folded into the decision call, reflection only
   * when the cheap checks cannot tell. 'mobile-agent-v2': the paper's configuration, with
   * separate memory, reflection and planning calls on every step (kept for comparison).
   */
  mode?: 'deskpilot' | 'mobile-agent-v2';
}

export interface PlannerCalls {
  decision: number;
  reflection: number;
  manager: number;
  memory: number;
  planning: number;
}

interface Pending {
  decision: DecisionOutput;
  before: Observation;
  beforeElements: UiElement[];
}

/**
 * The planner as a StepSource (Mobile-Agent-v2 with PC-Agent's manager and D verdict):
 * a manager splits the task, a decision agent picks one step (memory and progress folded into
 * the same call), a deterministic check verifies it and the reflection agent is asked only when
 * that check cannot tell. Repeating a step that had no effect makes the manager replan; being
 * stuck again hands the run to the person.
 */
export class PlannerStepSource implements StepSource {
  readonly calls: PlannerCalls = { decision: 0, reflection: 0, manager: 0, memory: 0, planning: 0 };
  private subtasks: string[] = [];
  private progress = '';
  private readonly history: string[] = [];
  private readonly memory: string[] = [];
  private errorFlag: string | undefined;
  private pending: Pending | undefined;
  private lastNoEffect: string | undefined;
  private stuck = 0;
  private replans = 0;
  private readonly logger: Logger;
  private readonly flagged = new Set<string>();

  constructor(
    private readonly task: string,
    private readonly deps: PlannerDeps,
  ) {
    this.logger = deps.logger ?? nullLogger;
  }

  async next(ctx: StepContext, signal?: AbortSignal): Promise<ProposedStep | null> {
    const view = { observation: ctx.observation, elements: await this.see(ctx.observation, ctx.runId, signal) };
    if (this.subtasks.length === 0) await this.plan(undefined, signal);
    if (this.pending) {
      const verdict = await this.judge(this.pending, ctx, view, signal);
      if (verdict === 'stuck') {
        return { step: { kind: 'done', success: false, askUser: `I am stuck on "${this.task}": ${this.errorFlag ?? 'nothing I try has an effect'}. Please take over or tell me what to do.` } };
      }
    }
    const decision = await this.decide(view.observation, view.elements, signal);
    if (decision.memory) this.memory.push(decision.memory);
    if (this.deps.mode === 'mobile-agent-v2') await this.noteMemory(view.elements, signal);
    this.pending = { decision, before: view.observation, beforeElements: view.elements };
    return { step: decision.action, thought: decision.thought };
  }

  /** The perception list of an observation, kept on it; screen text that reads like an order is flagged. */
  private async see(observation: Observation, runId: string, signal?: AbortSignal): Promise<UiElement[]> {
    const elements = await this.deps.perceive(observation, signal);
    observation.elements = elements;
    this.flagInjections(elements, runId);
    return elements;
  }

  /**
   * The verdict on the last step: the cheap checks first; when they do not conclude it worked,
   * the screen may still have been painting (a late repaint on a busy machine), so it is looked
   * at once more after a quiet moment (`view` then holds the newer screen) before a model is asked.
   */
  private async judge(p: Pending, ctx: StepContext, view: { observation: Observation; elements: UiElement[] }, signal?: AbortSignal): Promise<'ok' | 'retry' | 'stuck'> {
    const step = p.decision.action;
    let verdict: 'A' | 'B' | 'C' | 'D';
    let reason: string;
    if (ctx.lastError) {
      [verdict, reason] = ['C', `it failed: ${ctx.lastError.message}`];
    } else {
      const last = ctx.history[ctx.history.length - 1];
      const checkOn = (after: Observation, elements: UiElement[]) =>
        deterministicCheck({
          before: p.before.frame,
          after: after.frame,
          beforeTitle: p.before.windowTitle,
          afterTitle: after.windowTitle,
          afterElements: elements,
          expect: p.decision.expect,
          targetBox: last?.resolution?.box,
          changes: this.deps.changes,
        });
      const cheap = this.deps.mode !== 'mobile-agent-v2';
      let check = checkOn(view.observation, view.elements);
      if (cheap && check.verdict !== 'A' && ctx.refresh) {
        const fresh = await ctx.refresh(signal);
        if (fresh !== view.observation) {
          view.observation = fresh;
          view.elements = await this.see(fresh, ctx.runId, signal);
          check = checkOn(fresh, view.elements);
        }
      }
      if (check.verdict !== 'unknown' && cheap) [verdict, reason] = [check.verdict, check.reason];
      else ({ verdict, reason } = await this.reflect(p, view.observation, view.elements, signal));
    }
    this.pending = undefined;
    if (verdict === 'A') {
      this.history.push(p.decision.summary);
      if (this.deps.mode === 'mobile-agent-v2') await this.updateProgress(p.decision.summary, signal);
      else if (p.decision.progress) this.progress = p.decision.progress;
      this.errorFlag = undefined;
      this.stuck = 0;
      this.lastNoEffect = undefined;
      return 'ok';
    }
    this.errorFlag =
      verdict === 'B'
        ? `the last operation (${p.decision.summary}) led to a wrong page or state: ${reason}. Go back or undo first.`
        : verdict === 'D'
          ? `the task looked finished but is not: ${reason}`
          : `the last operation (${p.decision.summary}) had no effect: ${reason}. Try a different way.`;
    if (verdict === 'C') {
      const same = describeStep(step);
      this.stuck = this.lastNoEffect === same ? this.stuck + 1 : 1;
      this.lastNoEffect = same;
      if (this.stuck >= 2) {
        if (this.replans >= 1) return 'stuck';
        this.replans++;
        this.stuck = 0;
        await this.plan(`The plan got stuck: "${same}" had no effect twice.`, signal);
      }
    }
    return 'retry';
  }

  private async plan(trouble: string | undefined, signal?: AbortSignal): Promise<void> {
    const text = [`Task: ${this.task}`, this.sop ? `Standard operating procedure to follow:\n${this.sop}` : '', this.history.length ? `Done so far:\n- ${this.history.join('\n- ')}` : '', trouble ?? '']
      .filter(Boolean)
      .join('\n\n');
    const out = await askJson(this.deps.model, { role: 'planner', messages: [{ role: 'system', content: MANAGER_SYSTEM }, { role: 'user', content: text }] }, ManagerOutput, signal, () => this.calls.manager++);
    this.subtasks = out.subtasks;
    this.logger.info({ subtasks: out.subtasks }, trouble ? 'replanned' : 'planned');
  }

  private get sop(): string | undefined {
    return this.deps.sop;
  }

  private async decide(obs: Observation, elements: UiElement[], signal?: AbortSignal): Promise<DecisionOutput> {
    const image = await this.deps.encodeForModel(obs.frame);
    const recent = this.history.slice(-(this.deps.historyWindow ?? 12));
    const text = [
      `Task: ${this.task}`,
      `Plan: ${this.subtasks.map((s, i) => `${i + 1}. ${s}`).join(' ')}`,
      this.sop ? `Standard operating procedure (guidance):\n${this.sop}` : '',
      `Progress: ${this.progress || 'nothing yet'}`,
      `Operation history: ${recent.length ? recent.map((h, i) => `${i + 1}. ${h}`).join('; ') : 'none'}`,
      this.memory.length ? `Notes: ${this.memory.slice(-8).join(' | ')}` : '',
      this.errorFlag ? `ATTENTION: ${this.errorFlag}` : '',
      obs.windowTitle ? `Focused window: ${obs.windowTitle}` : '',
      fenceScreenText(perceptionLines(elements)),
      `The screenshot is ${image.width}x${image.height} pixels.`,
    ]
      .filter(Boolean)
      .join('\n');
    const content: ChatContent[] = [{ type: 'text', text }, { type: 'image', base64: image.base64, mime: image.mime }];
    return askJson(
      this.deps.model,
      { role: 'planner', messages: [{ role: 'system', content: DECISION_SYSTEM }, { role: 'user', content }] },
      DecisionOutput,
      signal,
      () => this.calls.decision++,
    );
  }

  private async reflect(p: Pending, after: Observation, afterElements: UiElement[], signal?: AbortSignal): Promise<{ verdict: 'A' | 'B' | 'C' | 'D'; reason: string }> {
    const [a, b] = await Promise.all([this.deps.encodeForModel(p.before.frame), this.deps.encodeForModel(after.frame)]);
    const text = [
      `Task: ${this.task}`,
      `Action taken: ${describeStep(p.decision.action)} — intended: ${p.decision.summary}`,
      p.decision.expect ? `Expected to see: ${p.decision.expect}` : '',
      'Before:',
      fenceScreenText(perceptionLines(p.beforeElements)),
      'After:',
      fenceScreenText(perceptionLines(afterElements)),
      'The first image is before the action, the second after.',
    ]
      .filter(Boolean)
      .join('\n');
    return askJson(
      this.deps.model,
      {
        role: 'planner',
        messages: [
          { role: 'system', content: REFLECTION_SYSTEM },
          { role: 'user', content: [{ type: 'text', text }, { type: 'image', base64: a.base64, mime: a.mime }, { type: 'image', base64: b.base64, mime: b.mime }] },
        ],
      },
      ReflectionOutput,
      signal,
      () => this.calls.reflection++,
    );
  }

  private async noteMemory(elements: UiElement[], signal?: AbortSignal): Promise<void> {
    const text = `Task: ${this.task}\n${fenceScreenText(perceptionLines(elements))}`;
    const out = await askJson(this.deps.model, { role: 'planner', messages: [{ role: 'system', content: MEMORY_SYSTEM }, { role: 'user', content: text }] }, MemoryOutput, signal, () => this.calls.memory++);
    if (out.memory) this.memory.push(out.memory);
  }

  private async updateProgress(done: string, signal?: AbortSignal): Promise<void> {
    const text = `Task: ${this.task}\nProgress so far: ${this.progress || 'nothing yet'}\nJust completed: ${done}`;
    const out = await askJson(this.deps.model, { role: 'planner', messages: [{ role: 'system', content: PLANNING_SYSTEM }, { role: 'user', content: text }] }, ProgressOutput, signal, () => this.calls.planning++);
    this.progress = out.progress;
  }

  private flagInjections(elements: UiElement[], runId: string): void {
    for (const e of elements) {
      if (e.text && looksLikeInjection(e.text) && !this.flagged.has(e.text)) {
        this.flagged.add(e.text);
        this.logger.warn({ screenText: e.text }, 'screen text reads like an instruction to the agent; treated as data');
        this.deps.onInjection?.(e.text, runId);
      }
    }
  }
}

/** The Mobile-Agent-v2 perception list: one line per element, centre in desktop coordinates. */
export function perceptionLines(elements: UiElement[]): string[] {
  return elements.map((e) => {
    const cx = Math.round(e.box.x + e.box.width / 2);
    const cy = Math.round(e.box.y + e.box.height / 2);
    return `${e.id} [${cx}, ${cy}]; ${e.kind}: ${e.text ?? ''}`.trimEnd();
  });
}

export type { Step };
