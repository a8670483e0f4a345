import { boxCenter } from '../../shared/geometry.js';
import type { UiElement } from '../../shared/ports.js';

/**
 * The perception list the planner reads, one line per element in the Mobile-Agent-v2 style:
 * `e3 [412, 230]; text: Save`, `e7 [1250, 12]; icon: close`, `e9 [300, 180]; field: Name`.
 * The point is the element's centre in desktop coordinates, where a click would go. Text seen on
 * screen is data: newlines are flattened so a screen cannot inject extra lines into the list.
 */
export function perceptionList(elements: readonly UiElement[]): string {
  return elements.map(perceptionLine).join('\n');
}

export function perceptionLine(e: UiElement): string {
  const c = boxCenter(e.box);
  const content = e.text !== undefined && e.text !== '' ? `${e.kind}: ${flatten(e.text)}` : e.kind;
  return `${e.id} [${Math.round(c.x)}, ${Math.round(c.y)}]; ${content}`;
}

function flatten(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}
