import { X11RequestError } from './x11-client.js';
import { x11 } from './x11-windows.js';

/**
 * Whether anything was drawn on an X screen, from the server itself (the DAMAGE extension): a
 * capture of a screen that did not change can reuse the last one instead of reading it again.
 * Every drawing operation is reported (raw rectangles), so none can hide behind an earlier one.
 */
export interface ScreenDamage {
  /**
   * Whether anything was drawn since the last call (true at the first). Resolves after a round
   * trip, so everything the server drew before it is either reported here or already in a read
   * of the screen made after this resolves.
   */
  drawnSince(): Promise<boolean>;
  close(): void;
}

const DAMAGE_REPORT_RAW_RECTANGLES = 0;

/** Damage reports for the whole screen of `display`; undefined where the server has no DAMAGE extension. */
export async function watchDamage(display: string): Promise<ScreenDamage | undefined> {
  const c = await x11(display);
  const ext = await c.extension('DAMAGE');
  if (!ext) return undefined;
  // A client must say which version it speaks before any other DAMAGE request.
  const version = Buffer.alloc(12);
  version[0] = ext.opcode;
  version[1] = 0; // DamageQueryVersion
  version.writeUInt16LE(3, 2);
  version.writeUInt32LE(1, 4);
  version.writeUInt32LE(1, 8);
  await c.request(version, 'DamageQueryVersion');
  const damage = c.allocateId();
  const create = Buffer.alloc(16);
  create[0] = ext.opcode;
  create[1] = 1; // DamageCreate
  create.writeUInt16LE(4, 2);
  create.writeUInt32LE(damage, 4);
  create.writeUInt32LE(c.root, 8);
  create[12] = DAMAGE_REPORT_RAW_RECTANGLES;
  let drawn = true;
  const stop = c.onEvent((event) => {
    if ((event[0]! & 0x7f) === ext.firstEvent && event.readUInt32LE(8) === damage) drawn = true;
  });
  const created = c.send(create);
  await c.sync();
  const error = c.errorFor(created);
  if (error !== undefined) {
    stop();
    throw new X11RequestError(error, 'DamageCreate');
  }
  return {
    async drawnSince() {
      // A connection that broke cannot tell: the screen is read again.
      if (c.closed || !(await c.sync().then(() => true, () => false))) return true;
      const was = drawn;
      drawn = false;
      return was;
    },
    close() {
      stop();
      if (c.closed) return;
      const destroy = Buffer.alloc(8);
      destroy[0] = ext.opcode;
      destroy[1] = 2; // DamageDestroy
      destroy.writeUInt16LE(2, 2);
      destroy.writeUInt32LE(damage, 4);
      c.send(destroy);
    },
  };
}
