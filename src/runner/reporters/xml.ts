/** Just enough XML writing for JUnit: escaped text and attributes, no invalid characters. */

// XML 1.0 forbids most control characters even when escaped; terminal output is full of them.
// eslint-disable-next-line no-control-regex
const INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

export function escapeText(s: string): string {
  return s.replace(INVALID, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function escapeAttr(s: string): string {
  return escapeText(s)
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;')
    .replace(/\t/g, '&#9;');
}

export type Attrs = Record<string, string | number | undefined>;

export function element(
  name: string,
  attrs: Attrs,
  children: string[] | string | undefined,
  indent = '',
): string {
  const a = Object.entries(attrs)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` ${k}="${escapeAttr(String(v))}"`)
    .join('');
  if (children === undefined || (Array.isArray(children) && children.length === 0))
    return `${indent}<${name}${a}/>`;
  if (typeof children === 'string') return `${indent}<${name}${a}>${escapeText(children)}</${name}>`;
  return `${indent}<${name}${a}>\n${children.join('\n')}\n${indent}</${name}>`;
}
