import type { Box } from '../../shared/geometry.js';
import type { Frame } from '../../shared/ports.js';
import type { Logger } from '../../shared/logger.js';

/**
 * OCR results. Every box is in the pixels of the frame that was read (the `screen` space of
 * geometry.ts), never in the detector's resized image, so callers can use them directly.
 */

export interface OcrWord {
  /** The word as read, without surrounding spaces. */
  text: string;
  box: Box;
  /** Mean of the per-character probabilities, 0..1. */
  confidence: number;
}

export interface OcrLine {
  /** The line as read, spaces between words kept. */
  text: string;
  box: Box;
  /** Mean of the per-character probabilities (spaces included), 0..1. */
  confidence: number;
  /** The words of the line, left to right. */
  words: OcrWord[];
}

export interface OcrResult {
  /** Lines in reading order: top to bottom, then left to right within a row. */
  lines: OcrLine[];
}

/** The pixels OCR reads: a Frame, or any RGBA image of the same layout. */
export type OcrImage = Pick<Frame, 'width' | 'height' | 'data'>;

export interface RecognizeOptions {
  /** Read only this part of the image (frame pixels); result boxes stay in frame pixels. */
  region?: Box;
  signal?: AbortSignal;
}

export interface OcrOptions {
  logger?: Logger;
  /**
   * Longest side (px) the detector works at. Larger is slower but finds smaller text. Images
   * smaller than this are not enlarged.
   */
  detectorMaxSide?: number;
  /** DB threshold on the text probability map. */
  textThreshold?: number;
  /** Mean probability a detected box must reach to be kept. */
  boxThreshold?: number;
  /** How far a detected box is grown (DB unclip ratio). */
  unclipRatio?: number;
  /** Lines recognised per model run. */
  recognizerBatch?: number;
  /** Lines whose mean character probability is below this are dropped. */
  minLineConfidence?: number;
  /**
   * Run the 0/180 degree text angle classifier before recognition. Off by default: screen text
   * is upright, and the classifier costs a model run per batch while occasionally flipping short
   * upright words ("l", "-") that look the same upside down.
   */
  classifyAngle?: boolean;
  /** ONNX Runtime threads per model run (default: 2, the cores a small desktop agent may use). */
  threads?: number;
  /**
   * Run the detector only over the parts of the area that are not plainly empty (flat colour,
   * borders, gradients; see content.ts), when that is clearly cheaper (a mostly empty screen:
   * ~3x less CPU). On by default; off reads the whole area in one go. A split read boxes some
   * lines a pixel or two differently from a whole read; the incremental OCR keeps the first
   * reading of lines whose pixels did not change, so that does not make text flicker.
   */
  skipEmpty?: boolean;
}

export interface Ocr {
  recognize(image: OcrImage, options?: RecognizeOptions): Promise<OcrResult>;
  /** Releases the model sessions this instance loaded; later calls reload them. */
  dispose(): Promise<void>;
}
