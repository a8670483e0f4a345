import { createInterface } from 'node:readline/promises';
import type { ConfirmAnswer, Confirmer, ConfirmRequest } from '../shared/ports.js';
import { describeStep } from '../shared/steps.js';

/** How a run without a person at the screen answers confirmations (CI, scripts). */
export type HeadlessPolicy = 'deny' | 'allow';

export function headlessConfirmer(policy: HeadlessPolicy, note: (line: string) => void): Confirmer {
  return {
    answeredBy: `headless policy (${policy})`,
    confirm(request: ConfirmRequest): Promise<ConfirmAnswer> {
      note(`needs confirmation: ${describeStep(request.step)} — ${request.reasons.join('; ')} → ${policy === 'allow' ? 'allowed' : 'denied'} (headless policy "${policy}")`);
      return Promise.resolve(policy === 'allow' ? 'allow_once' : 'deny');
    },
  };
}

/** Asks on the terminal: allow once / allow for this run / deny / take over. */
export function terminalConfirmer(input: NodeJS.ReadableStream, output: NodeJS.WritableStream): Confirmer {
  return {
    answeredBy: 'user (terminal)',
    async confirm(request: ConfirmRequest, signal?: AbortSignal): Promise<ConfirmAnswer> {
      const rl = createInterface({ input, output });
      try {
        output.write(`\nDeskPilot wants to: ${describeStep(request.step)}\n  because it ${request.reasons.join('; ')}\n`);
        const answer = (await rl.question('  [y] allow once  [a] allow for this run  [n] deny  [t] take over > ', signal ? { signal } : {}))
          .trim()
          .toLowerCase();
        if (answer === 'y' || answer === 'yes') return 'allow_once';
        if (answer === 'a') return 'allow_run';
        if (answer === 't') return 'take_over';
        return 'deny';
      } finally {
        rl.close();
      }
    },
  };
}
