/** The VLM endpoint grounder: prompts and output parsers of the grounding models it speaks to. */
export { VlmGrounder, type VlmGrounderOptions, type VlmExchange } from './grounder.js';
export {
  parseAnswer,
  parseOsAtlas7b,
  parseOsAtlas4b,
  parseShowUi,
  parseUGround,
  parseUiTars,
  VLM_FORMATS,
  type VlmFormat,
  type ModelSpace,
  type ParsedLocation,
} from './parsers.js';
export { buildMessages, instructionFor, RESIZE } from './prompts.js';
