import type { Box } from '../shared/geometry.js';
import type { Monitor } from '../shared/ports.js';
import type { X11Connection } from './x11-client.js';
import { x11 } from './x11-windows.js';

/*
 * The monitors of an X screen as RandR 1.5 lists them (RRGetMonitors), asked over this process's
 * own X connection: what `xrandr --listmonitors` prints, without starting xrandr (a program of
 * ~10 ms that each task's first look at the screen used to wait for).
 */

const RR_QUERY_VERSION = 0;
const RR_GET_MONITORS = 42;

/** Per connection: RandR's major opcode where the server has RandR 1.5, else undefined (asked once). */
const randr15 = new WeakMap<X11Connection, Promise<number | undefined>>();

function randrOpcode(c: X11Connection): Promise<number | undefined> {
  let opcode = randr15.get(c);
  if (!opcode) {
    opcode = (async () => {
      const ext = await c.extension('RANDR');
      if (!ext) return undefined;
      // A client says which version it speaks first; the server answers with the one it has.
      const version = Buffer.alloc(12);
      version[0] = ext.opcode;
      version[1] = RR_QUERY_VERSION;
      version.writeUInt16LE(3, 2);
      version.writeUInt32LE(1, 4);
      version.writeUInt32LE(5, 8);
      const v = await c.request(version, 'RRQueryVersion');
      const [major, minor] = [v.readUInt32LE(8), v.readUInt32LE(12)];
      return major > 1 || (major === 1 && minor >= 5) ? ext.opcode : undefined;
    })();
    // A failed ask is not kept: the next read asks again.
    opcode.catch(() => randr15.delete(c));
    randr15.set(c, opcode);
  }
  return opcode;
}

/** The monitors of `display`'s first screen; undefined where the server has no RandR 1.5. */
export async function randrMonitors(display: string): Promise<Monitor[] | undefined> {
  const c = await x11(display);
  const opcode = await randrOpcode(c);
  if (opcode === undefined) return undefined;
  const get = Buffer.alloc(12);
  get[0] = opcode;
  get[1] = RR_GET_MONITORS;
  get.writeUInt16LE(3, 2);
  get.writeUInt32LE(c.root, 4);
  get[8] = 1; // get_active: the monitors shown now
  const r = await c.request(get, 'RRGetMonitors');
  const count = r.readUInt32LE(12);
  const found: { atom: number; bounds: Box; primary: boolean }[] = [];
  // After the 32-byte header, per monitor: name atom, primary, automatic, output count, x, y,
  // width, height (pixels), width and height in mm, then its outputs (4 bytes each).
  for (let i = 0, at = 32; i < count; i++) {
    const outputs = r.readUInt16LE(at + 6);
    found.push({
      atom: r.readUInt32LE(at),
      primary: r[at + 4] === 1,
      bounds: {
        x: r.readInt16LE(at + 8),
        y: r.readInt16LE(at + 10),
        width: r.readUInt16LE(at + 12),
        height: r.readUInt16LE(at + 14),
      },
    });
    at += 24 + 4 * outputs;
  }
  const names = await Promise.all(found.map((m) => (m.atom ? c.atomName(m.atom) : Promise.resolve('none'))));
  return found.map((m, i) => ({ name: names[i]!, bounds: m.bounds, primary: m.primary }));
}
