import { errorMessage } from '../../shared/errors.js';
import { captureCheck, inputCheck } from './desktop.js';
import { databaseCheck } from './database.js';
import { displayCheck } from './display.js';
import { endpointCheck } from './endpoint.js';
import { localVlmCheck } from './local-vlm.js';
import { ocrCheck } from './ocr.js';
import type { Check, CheckResult, DoctorContext } from './types.js';

export type { Check, CheckResult, DoctorContext } from './types.js';

/** The checks of `deskpilot doctor`, in the order a person would fix things. */
export function doctorChecks(): Check[] {
  return [
    displayCheck,
    captureCheck,
    inputCheck,
    ocrCheck,
    endpointCheck('planner'),
    endpointCheck('grounder'),
    localVlmCheck,
    databaseCheck,
  ];
}

/**
 * Runs the checks one after another (capture and input share the display, so not in
 * parallel). A check never throws: a crash or a timeout is a failed check with its message.
 */
export async function runDoctor(
  ctx: DoctorContext,
  options: { checks?: Check[]; signal?: AbortSignal; onResult?: (r: CheckResult) => void } = {},
): Promise<{ ok: boolean; checks: CheckResult[] }> {
  const results: CheckResult[] = [];
  for (const check of options.checks ?? doctorChecks()) {
    const failedNeed = check.needs?.find((n) => results.some((r) => r.name === n && r.status === 'fail'));
    const result: CheckResult = failedNeed
      ? { name: check.name, status: 'skip', detail: `skipped: "${failedNeed}" failed` }
      : { name: check.name, ...(await runOne(check, ctx, options.signal)) };
    ctx.logger.debug({ check: result.name, status: result.status, detail: result.detail }, 'doctor check');
    results.push(result);
    options.onResult?.(result);
  }
  return { ok: results.every((r) => r.status !== 'fail'), checks: results };
}

async function runOne(
  check: Check,
  ctx: DoctorContext,
  parent?: AbortSignal,
): Promise<Omit<CheckResult, 'name'>> {
  const timeout = AbortSignal.timeout(check.timeoutMs);
  const signal = parent ? AbortSignal.any([parent, timeout]) : timeout;
  let timer: NodeJS.Timeout | undefined;
  // The race covers a check that ignores its signal; the check itself is not awaited further.
  const expired = new Promise<Omit<CheckResult, 'name'>>((resolve) => {
    timer = setTimeout(
      () =>
        resolve({
          status: 'fail',
          detail: `no result within ${check.timeoutMs / 1000} s`,
          hint: 'something is hanging; rerun with --log-level debug',
        }),
      check.timeoutMs + 500,
    );
  });
  try {
    return await Promise.race([check.run(ctx, signal), expired]);
  } catch (err) {
    const detail =
      signal.aborted && timeout.aborted
        ? `no result within ${check.timeoutMs / 1000} s`
        : (errorMessage(err).split('\n')[0] ?? '');
    return { status: 'fail', detail, hint: 'rerun with --log-level debug for details' };
  } finally {
    clearTimeout(timer);
  }
}
