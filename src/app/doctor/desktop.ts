import type { Point } from '../../shared/geometry.js';
import type { Frame, InputDriver } from '../../shared/ports.js';
import type { PointerProbe } from '../../actions/index.js';
import type { Check } from './types.js';

/**
 * Capture and input, through the same adapters a run uses, so that a passing doctor means a
 * run can see and act. The adapters are loaded on demand: a native library that fails to load
 * (libXtst missing, say) is then a failed check rather than a crashed command.
 */

/**
 * What the pixels say: 'empty' when every byte is zero (alpha included), the signature of a
 * grab that returned nothing; 'black' for an opaque black screen, which a fresh display is.
 */
export function frameContent(frame: Frame): 'empty' | 'black' | 'content' {
  const d = frame.data;
  let anyByte = false;
  for (let i = 0; i < d.length; i += 4) {
    if (d[i] !== 0 || d[i + 1] !== 0 || d[i + 2] !== 0) return 'content';
    if (d[i + 3] !== 0) anyByte = true;
  }
  return anyByte ? 'black' : 'empty';
}

export const captureCheck: Check = {
  name: 'capture works',
  needs: ['display reachable'],
  timeoutMs: 15_000,
  async run(ctx, signal) {
    const { createScreenSource } = await import('../../perception/index.js');
    const options = { display: ctx.display, logger: ctx.logger };
    const source = await createScreenSource(options, signal);
    try {
      const started = Date.now();
      const frame = await source.capture({}, signal);
      const ms = Date.now() - started;
      const size = `${frame.width}x${frame.height}`;
      if (frame.width <= 0 || frame.height <= 0 || frame.data.length < frame.width * frame.height * 4) {
        return {
          status: 'fail',
          detail: `capture returned a ${size} frame with ${frame.data.length} bytes`,
          hint: 'the capture adapter is broken; rerun with --log-level debug',
        };
      }
      const content = frameContent(frame);
      if (content === 'empty') {
        return {
          status: 'fail',
          detail: `${size} captured, but every byte is zero`,
          hint: 'the grab returned no pixels: the screen may be locked, or screen recording is not permitted for this terminal',
        };
      }
      return {
        status: 'ok',
        detail: `${size} captured in ${ms} ms${content === 'black' ? ' (the screen is all black)' : ''}`,
      };
    } finally {
      await source.dispose();
    }
  },
};

/** The driver's own pointer probe when it has one, else nut-js asking the X server. */
async function pointerReader(driver: InputDriver & Partial<PointerProbe>): Promise<() => Promise<Point>> {
  if (typeof driver.pointer === 'function') return () => driver.pointer!();
  const { mouse } = await import('../../actions/nut.js');
  return () => mouse.getPosition();
}

/** Moves the pointer a few pixels, reads it back from the X server, and puts it back. */
export const inputCheck: Check = {
  name: 'input works',
  needs: ['display reachable'],
  timeoutMs: 15_000,
  async run(ctx, signal) {
    const { createInputDriver } = await import('../../actions/index.js');
    const options = { display: ctx.display, logger: ctx.logger };
    const driver = await createInputDriver(options);
    const where = await pointerReader(driver);
    try {
      const before: Point = await where();
      const to = {
        x: before.x > 20 ? before.x - 7 : before.x + 7,
        y: before.y > 20 ? before.y - 5 : before.y + 5,
      };
      await driver.move(to, signal);
      const after: Point = await where();
      await driver.move(before, signal);
      if (Math.abs(after.x - to.x) > 1 || Math.abs(after.y - to.y) > 1) {
        return {
          status: 'fail',
          detail: `moved the pointer to (${to.x}, ${to.y}) but it is at (${after.x}, ${after.y})`,
          hint: 'input events are not reaching the display: on X11 the XTest extension must be enabled; on Wayland run an X11 session',
        };
      }
      return {
        status: 'ok',
        detail: `pointer moved to (${to.x}, ${to.y}) and back to (${before.x}, ${before.y})`,
      };
    } finally {
      await driver.dispose();
    }
  },
};
