/** Element proposals: what is on screen besides text, merged with OCR into one element list. */
export { proposeElements, proposeInFrame, readingOrder, type ProposeOptions } from './propose.js';
export { perceptionList, perceptionLine } from './list.js';
export { setOfMarks } from './marks.js';
export { toGray, type GrayImage } from './pixels.js';
export type { Proposal } from './classify.js';
