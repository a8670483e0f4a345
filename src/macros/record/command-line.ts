import { parseCommands } from '../../planner/commands/parse.js';
import type { Step } from '../../shared/steps.js';
import type { Target } from '../../shared/target.js';

/**
 * A recorded step as one line of the direct-command language, when the language can say it
 * exactly; undefined otherwise (the macro then keeps the structured `step:` form). The line is
 * parsed back and compared, so a line that would replay differently is never written.
 */
export function commandLine(step: Step): string | undefined {
  const line = draft(step);
  if (line === undefined) return undefined;
  try {
    const parsed = parseCommands(line);
    if (parsed.length !== 1) return undefined;
    return sameStep(parsed[0]!.step, step) ? line : undefined;
  } catch {
    return undefined;
  }
}

const q = (s: string) => JSON.stringify(s);

function target(t: Target): string | undefined {
  if (t.text === undefined || t.image || t.description || t.point || t.elementId || t.relation || t.anchors || t.region) return undefined;
  return `${t.ordinal ? `#${t.ordinal} ` : ''}${q(t.text)}${t.role ? ` ${t.role}` : ''}`;
}

function draft(step: Step): string | undefined {
  switch (step.kind) {
    case 'click': {
      const verb = step.button === 'right' ? 'right-click' : step.button === 'middle' ? 'middle-click' : ['click', 'double-click', 'triple-click'][step.count - 1];
      if (step.button !== 'left' && step.count !== 1) return undefined;
      const t = target(step.target);
      const mods = step.modifiers?.length ? step.modifiers.join('+') + '+' : '';
      return t && verb ? `${mods}${verb} ${t}` : undefined;
    }
    case 'drag': {
      const from = target(step.from);
      const to = target(step.to);
      const mods = step.modifiers?.length ? step.modifiers.join('+') + '+' : '';
      return from && to ? `${mods}drag ${from} to ${to}` : undefined;
    }
    case 'type': {
      if (step.clear) return undefined;
      if (!step.target) return `type ${q(step.text)}`;
      const t = target(step.target);
      return t ? `type ${q(step.text)} into ${t}` : undefined;
    }
    case 'key':
      return `press ${step.keys}${step.repeat > 1 ? ` ${step.repeat} times` : ''}`;
    case 'scroll': {
      const t = step.target ? target(step.target) : '';
      return t === undefined ? undefined : `scroll ${step.direction} ${step.amount}${t ? ` in ${t}` : ''}`;
    }
    case 'wait': {
      if (!step.for) return step.ms !== undefined ? `wait ${step.ms / 1000}s` : undefined;
      const t = target(step.for);
      return t ? `wait for ${t}${step.timeoutMs ? ` ${step.timeoutMs / 1000}s` : ''}` : undefined;
    }
    default:
      return undefined;
  }
}

function sameStep(a: Step, b: Step): boolean {
  return stable(a) === stable(b);
}

/** JSON with sorted keys and empty lists dropped, so key order and defaults do not matter. */
function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined && !(Array.isArray(x) && x.length === 0))
      .sort(([x], [y]) => (x < y ? -1 : 1));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${stable(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}
