/**
 * A small, strict XML reader for tests: elements, attributes, text, the five predefined
 * entities and numeric references. It throws on anything not well-formed (bad nesting, a raw
 * `<` or `&` in text, unquoted or duplicate attributes, control characters), so a JUnit file it
 * reads is one CI tools can read.
 */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = /^[A-Za-z_][\w.-]*/;
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/;

export function parseXml(xml: string): XmlElement {
  if (FORBIDDEN.test(xml)) throw new Error('control character in XML');
  let i = 0;
  const decl = /^<\?xml [^?]*\?>\s*/.exec(xml);
  if (decl) i = decl[0].length;
  const root = readElement();
  if (xml.slice(i).trim() !== '') throw new Error(`content after the root element at ${i}`);
  return root;

  function readElement(): XmlElement {
    if (xml[i] !== '<') throw new Error(`expected < at ${i}`);
    i++;
    const name = NAME.exec(xml.slice(i))?.[0];
    if (!name) throw new Error(`bad element name at ${i}`);
    i += name.length;
    const attrs: Record<string, string> = {};
    for (;;) {
      const ws = /^\s*/.exec(xml.slice(i))![0];
      i += ws.length;
      if (xml.startsWith('/>', i)) {
        i += 2;
        return { name, attrs, children: [], text: '' };
      }
      if (xml[i] === '>') {
        i++;
        break;
      }
      if (!ws) throw new Error(`expected space before attribute at ${i}`);
      const attr = /^([A-Za-z_][\w.:-]*)="([^"<]*)"/.exec(xml.slice(i));
      if (!attr) throw new Error(`bad attribute at ${i}: ${xml.slice(i, i + 30)}`);
      if (attr[1]! in attrs) throw new Error(`duplicate attribute ${attr[1]}`);
      attrs[attr[1]!] = decode(attr[2]!);
      i += attr[0].length;
    }
    const children: XmlElement[] = [];
    let text = '';
    for (;;) {
      if (i >= xml.length) throw new Error(`unclosed <${name}>`);
      if (xml.startsWith('</', i)) {
        const close = /^<\/([A-Za-z_][\w.-]*)\s*>/.exec(xml.slice(i));
        if (!close || close[1] !== name) throw new Error(`</${close?.[1] ?? '?'}> closes <${name}> at ${i}`);
        i += close[0].length;
        return { name, attrs, children, text };
      }
      if (xml[i] === '<') children.push(readElement());
      else {
        const end = xml.indexOf('<', i);
        const raw = xml.slice(i, end < 0 ? xml.length : end);
        text += decode(raw);
        i += raw.length;
      }
    }
  }
}

function decode(s: string): string {
  return s.replace(/&([^;]*);|&/g, (m, ref: string | undefined) => {
    if (ref === undefined) throw new Error('raw & in XML');
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    if (ref in named) return named[ref]!;
    const num = /^#(x[0-9a-fA-F]+|\d+)$/.exec(ref);
    if (!num) throw new Error(`unknown entity &${ref};`);
    return String.fromCodePoint(num[1]!.startsWith('x') ? parseInt(num[1]!.slice(1), 16) : Number(num[1]));
  });
}

export function find(el: XmlElement, name: string): XmlElement[] {
  return el.children.flatMap((c) => (c.name === name ? [c, ...find(c, name)] : find(c, name)));
}
