import { AppError } from '../../shared/errors.js';

/** OCR could not run: a model file is missing or unreadable, or the runtime failed. */
export class OcrError extends AppError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('OCR', message, options);
  }
}
