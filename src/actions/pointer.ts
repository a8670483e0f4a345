import type { Box, Point } from '../shared/geometry.js';

/** Where the pointer is now and how big the desktop is: what the failsafe watches. */
export interface PointerProbe {
  pointer(): Promise<Point>;
  /** The whole virtual desktop (logical pixels). */
  desktop(): Promise<Box>;
}

/** When the driver last sent an input event (performance.now()); how "no event after the trigger" is checked. */
export interface EventClock {
  lastEventAt(): number | undefined;
}
