/**
 * What the generator reads from a rendered page: the boxes of the things a person clicks, in
 * viewport CSS pixels, with the words a person would use for them. Runs inside the page
 * (page.evaluate), so it may use only the DOM, nothing imported.
 */

export interface DomElement {
  instruction: string;
  /** Viewport pixels (zoom included): left, top, width, height. */
  box: [number, number, number, number];
  kind: 'text' | 'icon';
}

export function harvestPage(): DomElement[] {
  const out: DomElement[] = [];
  const vw = window.innerWidth;
  const vh = window.innerHeight;
  const selector =
    'button, a[href], input:not([type=hidden]):not([type=checkbox]), select, [role=button], [role=switch], label.check, input[type=checkbox][aria-label]';
  const clean = (s: string): string => s.replace(/\s+/g, ' ').trim();
  // Seen from the person's side: the element is what the pointer would hit at several points of
  // it, not something under a veil, a dialog or another window part.
  const hittable = (el: Element, r: DOMRect): boolean => {
    const probes: Array<[number, number]> = [
      [0.5, 0.5],
      [0.25, 0.5],
      [0.75, 0.5],
    ];
    return probes.every(([fx, fy]) => {
      const hit = document.elementFromPoint(r.left + r.width * fx, r.top + r.height * fy);
      return hit !== null && (hit === el || el.contains(hit) || hit.contains(el) || el === hit.closest('label'));
    });
  };
  for (const el of Array.from(document.querySelectorAll(selector))) {
    if (el.closest('label.check') && el !== el.closest('label.check') && !el.hasAttribute('aria-label')) continue;
    const r = el.getBoundingClientRect();
    if (r.width < 4 || r.height < 4) continue;
    if (r.left < 0 || r.top < 0 || r.right > vw || r.bottom > vh) continue;
    const style = getComputedStyle(el);
    if (style.visibility !== 'visible' || style.display === 'none' || Number(style.opacity) === 0) continue;
    if (!hittable(el, r)) continue;
    const html = el as HTMLElement;
    const text = clean(html.innerText ?? '');
    const given = el.getAttribute('data-instr');
    const aria = el.getAttribute('aria-label');
    let kind: 'text' | 'icon';
    let instruction: string;
    if (text) {
      kind = 'text';
      instruction = given ?? text;
    } else if (el instanceof HTMLInputElement && el.placeholder && el.type !== 'checkbox') {
      kind = 'text';
      instruction = given ?? el.placeholder;
    } else if (el instanceof HTMLSelectElement) {
      const shown = clean(el.selectedOptions[0]?.text ?? '');
      if (!shown) continue;
      kind = 'text';
      instruction = given ?? shown;
    } else if (given || aria) {
      kind = 'icon';
      instruction = given ?? aria!.toLowerCase();
    } else continue;
    out.push({ instruction, box: [r.left, r.top, r.width, r.height], kind });
  }
  return out;
}

/** A marker at the viewport's top-left, found in the screen capture to place the page. */
export function showMarker(show: boolean): void {
  const id = 'dataset-origin-marker';
  document.getElementById(id)?.remove();
  if (!show) return;
  const m = document.createElement('div');
  m.id = id;
  // zoom 1 on the marker's own box would still be scaled by the root zoom; undo it so the marker
  // is exactly 8x8 screen pixels at the viewport origin.
  const zoom = Number(document.documentElement.style.zoom || '1');
  m.style.cssText = `position:fixed;left:0;top:0;width:${8 / zoom}px;height:${8 / zoom}px;background:#ff00ff;z-index:2147483647`;
  document.body.appendChild(m);
}
