import type { Policy, PolicyContext } from '../actions/policy/policy.js';
import { PolicyDenied } from '../shared/errors.js';
import type { ConfirmAnswer, Confirmer, ConfirmRequest, Store } from '../shared/ports.js';
import { describeStep } from '../shared/steps.js';

export type GateResult = { go: true; decidedBy: string } | { go: false; takeOver: boolean };

/**
 * The safety gate: the policy classifies the resolved step in code; a step that needs a
 * person waits for the Confirmer, and no answer in time is a deny. Every decision goes to the
 * append-only audit log. Nothing a model says reaches this decision.
 */
export class SafetyGate {
  private readonly allowedForRun = new Set<string>();

  constructor(
    private readonly policy: Policy,
    private readonly confirmer: Confirmer,
    private readonly store: Store,
    private readonly confirmTimeoutMs: number,
  ) {}

  async check(
    ctx: PolicyContext,
    request: Omit<ConfirmRequest, 'reasons'>,
    stepIndex: number,
    onAsk: (reasons: string[]) => void,
    signal: AbortSignal,
  ): Promise<GateResult> {
    const decision = this.policy.classify(ctx);
    const action = describeStep(ctx.step);
    const classes = decision.matches.map((m) => m.class);
    const detail = { classes, matches: decision.matches };
    const audit = (decisionKind: 'allowed' | 'confirmed' | 'denied' | 'refused', actor: string, extra = {}) =>
      this.store.audit.append({ runId: request.runId, stepIndex, action, decision: decisionKind, actor, detail: { ...detail, ...extra } });

    if (decision.action === 'deny') {
      audit('refused', 'policy');
      throw new PolicyDenied(`refused by the safety policy: ${decision.matches.map((m) => m.says).join('; ')}`);
    }
    if (decision.action === 'allow') {
      audit('allowed', 'policy');
      return { go: true, decidedBy: 'policy' };
    }
    if (classes.every((c) => this.allowedForRun.has(c))) {
      audit('allowed', 'user (for this run)');
      return { go: true, decidedBy: 'user (for this run)' };
    }
    const reasons = decision.matches.map((m) => `${m.says} (${m.evidence})`);
    onAsk(reasons);
    const answer = await this.ask({ ...request, reasons }, signal);
    if (answer === 'allow_once' || answer === 'allow_run') {
      if (answer === 'allow_run') for (const c of classes) this.allowedForRun.add(c);
      audit('confirmed', this.confirmer.answeredBy ?? 'user', { answer });
      return { go: true, decidedBy: 'user' };
    }
    audit('denied', answer === 'timeout' ? 'timeout' : (this.confirmer.answeredBy ?? 'user'), { answer });
    if (answer === 'take_over') return { go: false, takeOver: true };
    throw new PolicyDenied(
      answer === 'timeout' ? `no confirmation within ${this.confirmTimeoutMs / 1000}s: not done` : 'denied by the user',
    );
  }

  private async ask(request: ConfirmRequest, signal: AbortSignal): Promise<ConfirmAnswer | 'timeout'> {
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), this.confirmTimeoutMs);
    const both = AbortSignal.any([signal, timeout.signal]);
    try {
      const answer = await Promise.race([
        this.confirmer.confirm(request, both),
        new Promise<'timeout'>((resolve) => both.addEventListener('abort', () => resolve('timeout'), { once: true })),
      ]);
      if (signal.aborted) throw signal.reason;
      return answer;
    } catch (err) {
      if (signal.aborted) throw err;
      return 'timeout';
    } finally {
      clearTimeout(timer);
    }
  }
}
