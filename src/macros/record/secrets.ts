import type { Box } from '../../shared/geometry.js';
import type { FrameReading } from './evidence.js';

/** Labels that mark a field whose content is a secret (password, PIN, API token, ...). */
const SECRET_LABEL = /pass(word|code|phrase)?|\bpin\b|secret|token|api[ _-]?key/i;
/** What a password field shows instead of the text: bullets, dots, asterisks. */
const MASKED = /^[\s•●∙·*⋅◦.oO0°]{3,}$/u;

/**
 * Whether text typed into a field should be a secret: its label says so (or is one the person
 * marked with --secret-field), or the field shows the typed text masked. `after` is the screen
 * after the typing, `box` the field (desktop), `label` what the recorder took as its name.
 */
export function isSecretField(input: {
  label?: string;
  marked?: readonly string[];
  after?: FrameReading;
  box?: Box;
  typed: string;
}): boolean {
  const label = input.label ?? '';
  // Only the field's own label: a neighbouring "Password" label must not make the user name secret.
  const near = [label];
  if (near.some((t) => SECRET_LABEL.test(t))) return true;
  const marked = (input.marked ?? []).map((m) => m.trim().toLowerCase()).filter(Boolean);
  if (marked.length && near.some((t) => marked.some((m) => t.toLowerCase().includes(m)))) return true;
  if (input.after && input.box && input.typed.length >= 3) {
    const b = input.box;
    const inField = input.after.lines.filter((l) => {
      const cx = l.box.x + l.box.width / 2;
      const cy = l.box.y + l.box.height / 2;
      return cx >= b.x && cx <= b.x + b.width && cy >= b.y && cy <= b.y + b.height;
    });
    if (inField.some((l) => MASKED.test(l.text) && !l.text.includes(input.typed))) return true;
  }
  return false;
}

/** A secret name for the macro and field: "Daily login" + "Password" -> DAILY_LOGIN_PASSWORD. */
export function secretName(macro: string, label: string | undefined, taken: ReadonlySet<string>): string {
  const part = (s: string) => s.toUpperCase().replace(/[^A-Z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  let base = [part(macro) || 'MACRO', part(label ?? '') || 'SECRET'].join('_').slice(0, 56);
  if (!/^[A-Z]/.test(base)) base = `M_${base}`;
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}_${i}`;
  return name;
}
