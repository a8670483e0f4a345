import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { CaptureError } from '../shared/errors.js';

const require = createRequire(import.meta.url);

/**
 * libnut segfaults the whole process when its X display cannot be opened (measured: any
 * getScreenSize/capture with a bad DISPLAY). So before loading it in-process we let a
 * throw-away child process open the display and grab one pixel; a crash there costs only the
 * child. ~100 ms, once per screen source.
 */
export async function probeNutInChild(display: string, signal?: AbortSignal): Promise<{ width: number; height: number }> {
  const trusted = trustedDisplays.get(display);
  if (trusted) return trusted;
  let modulePath: string;
  try {
    modulePath = require.resolve('@nut-tree-fork/libnut-linux');
  } catch (err) {
    throw new CaptureError('nut-js native module @nut-tree-fork/libnut-linux is not installed', { cause: err });
  }
  const script = `const l = require(${JSON.stringify(modulePath)});
l.setXDisplayName(process.env.DISPLAY);
const s = l.getScreenSize();
const b = l.screen.capture(0, 0, 1, 1);
process.stdout.write(JSON.stringify({ width: s.width, height: s.height, bpp: b.bytesPerPixel }));`;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['-e', script],
      { env: { ...process.env, DISPLAY: display }, signal, timeout: 15_000 },
      (err, stdout, stderr) => {
        if (err) {
          const how = err.signal ? `crashed with ${err.signal}` : `failed (${stderr.trim() || err.message})`;
          reject(new CaptureError(`nut-js cannot capture display ${display}: its native module ${how}; install libX11/libXtst or use the screenshot-desktop fallback`, { cause: err }));
          return;
        }
        try {
          const size = JSON.parse(stdout) as { width: number; height: number; bpp: number };
          if (size.bpp !== 4) throw new Error(`unexpected ${size.bpp} bytes per pixel`);
          resolve({ width: size.width, height: size.height });
        } catch (e) {
          reject(new CaptureError(`nut-js probe on display ${display} gave unreadable output: ${stdout.slice(0, 200)}`, { cause: e }));
        }
      },
    );
  });
}

const trustedDisplays = new Map<string, { width: number; height: number }>();

/**
 * A display this process started itself and saw accept X clients (a test worker's own Xvfb,
 * which wrote its number to -displayfd): libnut can open it, so the next probe of it is answered
 * with its known size instead of a child process (~150 ms of a worker's start-up).
 */
export function trustDisplay(display: string, size: { width: number; height: number }): void {
  trustedDisplays.set(display, size);
}

let libnutDisplay: string | null = null;

/**
 * libnut keeps one cached X connection per process (sizes, bounds checks, input) and cannot be
 * told to close it. Pointing it at another display closes the old connection; if that server
 * is gone, Xlib's IO error handler exits the process (seen when a test desktop stopped and the
 * next one started). So once libnut has used a display, this process stays on it.
 */
export function assertLibnutDisplayFree(display: string): void {
  if (libnutDisplay !== null && libnutDisplay !== display) {
    throw new CaptureError(
      `nut-js in this process is already tied to X display ${libnutDisplay}; it cannot switch to ${display} safely (libnut keeps its X connection for the process lifetime): use a new process`,
    );
  }
}

/** Points libnut's cached X connection (used for sizes and bounds checks, and by input) at `display`. */
export function setLibnutDisplay(display: string): void {
  assertLibnutDisplayFree(display);
  if (libnutDisplay === display) return;
  const libnut = require('@nut-tree-fork/libnut-linux') as { setXDisplayName(name: string): void };
  libnut.setXDisplayName(display);
  libnutDisplay = display;
}
