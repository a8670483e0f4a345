/** Perception: how DeskPilot sees the screen. OCR lives in ./ocr (its own entry point). */
export { createScreenSource, type ScreenSourceOptions } from './create.js';
export { NutScreenSource, type NutScreenSourceOptions } from './nut-source.js';
export { DesktopScreenshotSource, type DesktopScreenshotSourceOptions } from './screenshot-source.js';
export { parseListMonitors, parseXrandrQuery, singleDisplay } from './displays.js';
export { bgraToRgba, makeFrame, lazyBgraFrame, pixelAt, intersect, type RawBgra } from './frame.js';
export { pickArea } from './regions.js';
export { encodePng, encodeJpeg, decodeImage, resizeToBudget, crop, type RgbaImage, type ResizedImage } from './image.js';
export { annotate, overlayArea, overlaySvg, type Annotations } from './annotate.js';
export { diffFrames, type DiffOptions, type FrameDiff, type ChangedRegion } from './diff.js';
export { waitForSettle, type SettleOptions, type SettleResult } from './settle.js';
