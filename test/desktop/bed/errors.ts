import { AppError } from '../../../src/shared/errors.js';

/** Something in the virtual-desktop test bed went wrong: a display, an app, a window, a leak. */
export class TestBedError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('TEST_BED', message, options);
  }
}
