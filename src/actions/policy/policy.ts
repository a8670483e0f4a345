import { LineCounter, parseDocument } from 'yaml';
import { UserInputError } from '../../shared/errors.js';
import type { Step } from '../../shared/steps.js';
import type { Target } from '../../shared/target.js';
import { DEFAULT_POLICY } from './default-policy.js';
import { PolicyFile, type PolicyAction, type PolicyRule, type RiskClass } from './schema.js';
import { firstPhrase, normalize, normalizeChord } from './text.js';

/** What the policy looks at: the resolved step and what surrounds it on screen. */
export interface PolicyContext {
  step: Step;
  /** Text of the element the step acts on, as resolved on screen (OCR words at the point). */
  targetText?: string;
  /** Text around the target: the dialog title, neighbouring words. Untrusted, only raises risk. */
  nearbyText?: string[];
  windowTitle?: string;
  app?: string;
  /** What was typed in a terminal since the last Enter (the engine tracks it). */
  terminalLine?: string;
}

export interface PolicyMatch {
  ruleId: string;
  class: RiskClass;
  says: string;
  action: PolicyAction;
  /** What matched, for the confirmation card and the audit log. */
  evidence: string;
}

export interface PolicyDecision {
  action: PolicyAction;
  matches: PolicyMatch[];
}

const SEVERITY: Record<PolicyAction, number> = { allow: 0, confirm: 1, deny: 2 };

/**
 * The policy engine: classifies every resolved step BEFORE it runs, deterministically, in
 * code. Nothing a model says can lower a step's risk: model text is only ever another source
 * of words that may raise it.
 */
export class Policy {
  private constructor(
    readonly rules: PolicyRule[],
    private readonly terminals: string[],
    private readonly allowApps: string[],
  ) {}

  /** The default policy, extended by a user policy file (same id replaces; new ids add). */
  static load(options: { userYaml?: string; userFile?: string; allowApps?: string[] } = {}): Policy {
    const base = DEFAULT_POLICY;
    const user = options.userYaml !== undefined ? parsePolicy(options.userYaml, options.userFile ?? '<policy>') : undefined;
    const rules = new Map(base.rules.map((r) => [r.id, r]));
    for (const r of user?.rules ?? []) rules.set(r.id, r);
    return new Policy(
      [...rules.values()],
      [...(base.terminals ?? []), ...(user?.terminals ?? [])],
      [...(options.allowApps ?? []), ...(user?.allow_apps ?? [])],
    );
  }

  classify(ctx: PolicyContext): PolicyDecision {
    const matches: PolicyMatch[] = [];
    const facts = gather(ctx, this.terminals);
    for (const rule of this.rules) {
      const evidence = matchRule(rule, ctx.step, facts);
      if (evidence !== undefined) {
        matches.push({ ruleId: rule.id, class: rule.class, says: rule.says, action: rule.action, evidence });
      }
    }
    if (this.allowApps.length && ctx.step.kind !== 'done' && ctx.step.kind !== 'wait' && ctx.step.kind !== 'assert') {
      const app = ctx.app ?? '';
      if (!this.allowApps.some((a) => normalize(a) === normalize(app))) {
        matches.push({
          ruleId: 'allow-apps',
          class: 'app_not_allowed',
          says: `acts in ${app ? `"${app}"` : 'an unknown app'}, which is not in your allowed apps`,
          action: 'confirm',
          evidence: app || 'unknown app',
        });
      }
    }
    const action = matches.reduce<PolicyAction>((a, m) => (SEVERITY[m.action] > SEVERITY[a] ? m.action : a), 'allow');
    return { action, matches };
  }
}

interface Facts {
  targetText: string;
  contextText: string;
  windowText: string;
  keys?: string;
  typed?: string;
  inTerminal: boolean;
  /** Terminal command lines that Enter would run now. */
  commandLines: string[];
}

function gather(ctx: PolicyContext, terminals: string[]): Facts {
  const s = ctx.step;
  const targets: Target[] =
    s.kind === 'drag' ? [s.from, s.to] : 'target' in s && s.target ? [s.target] : s.kind === 'wait' && s.for ? [s.for] : [];
  const targetParts = targets.flatMap((t) => [t.text, t.description, t.role]);
  if (s.kind === 'launch') targetParts.push(s.app, ...s.args);
  targetParts.push(ctx.targetText);
  const contextParts = [...(ctx.nearbyText ?? []), ...targets.map((t) => t.relation?.text), ctx.windowTitle];
  const windowText = [ctx.windowTitle, ctx.app].filter(Boolean).join(' \u2502 ');
  const inTerminal = firstPhrase(windowText, terminals) !== undefined;
  const line = ctx.terminalLine ?? '';
  let commandLines: string[] = [];
  if (s.kind === 'key' && ['enter'].includes(normalizeChord(s.keys))) commandLines = [line];
  if (s.kind === 'type' && /[\r\n]/.test(s.text)) commandLines = (line + s.text).split(/\r?\n|\r/).slice(0, -1);
  return {
    targetText: targetParts.filter(Boolean).join(' \u2502 '),
    contextText: contextParts.filter(Boolean).join(' \u2502 '),
    windowText,
    ...(s.kind === 'key' ? { keys: normalizeChord(s.keys) } : {}),
    ...(s.kind === 'type' ? { typed: s.text } : s.kind === 'launch' ? { typed: [s.app, ...s.args].join(' ') } : {}),
    inTerminal,
    commandLines,
  };
}

function matchRule(rule: PolicyRule, step: Step, f: Facts): string | undefined {
  if (!rule.kinds.includes(step.kind)) return undefined;
  if (rule.in_terminal && !f.inTerminal) return undefined;
  if (rule.context_words && !firstPhrase(f.contextText, rule.context_words, true)) return undefined;
  if (rule.window_words && !firstPhrase(f.windowText, rule.window_words, true)) return undefined;
  const triggers = [rule.target_words, rule.keys, rule.typed_patterns, rule.command_patterns].filter(Boolean);
  if (triggers.length === 0) return 'always';
  const word = rule.target_words && firstPhrase(f.targetText, rule.target_words);
  if (word) return `"${word}"`;
  if (rule.keys && f.keys && rule.keys.map(normalizeChord).includes(f.keys)) return f.keys;
  const typed = f.typed !== undefined ? rule.typed_patterns?.find((p) => new RegExp(p, 'iu').test(normalize(f.typed!))) : undefined;
  if (typed) return 'typed text';
  for (const line of f.commandLines) {
    if (rule.command_patterns?.some((p) => new RegExp(p, 'iu').test(normalize(line)))) return `command ${JSON.stringify(line.trim().slice(0, 80))}`;
  }
  return undefined;
}

/** Parses a policy YAML text; errors point at file:line:col and the key. */
export function parsePolicy(text: string, file: string): PolicyFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const yamlError = doc.errors[0];
  if (yamlError) {
    const pos = lineCounter.linePos(yamlError.pos[0]);
    throw new UserInputError(yamlError.message.split('\n')[0] ?? 'invalid YAML', { file, line: pos.line, column: pos.col });
  }
  const parsed = PolicyFile.safeParse(doc.toJS());
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const path = issue.path.map(String);
  let node: unknown = undefined;
  for (let n = path.length; n > 0 && !node; n--) node = doc.getIn(path.slice(0, n), true);
  const range = (node as { range?: [number, number] } | undefined)?.range;
  const pos = range ? lineCounter.linePos(range[0]) : { line: 1, col: 1 };
  throw new UserInputError(`${path.join('.') || '(top)'}: ${issue.message}`, { file, line: pos.line, column: pos.col });
}
