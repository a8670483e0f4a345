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
export { LocalVlmGrounder, type LocalVlmGrounderOptions, type LocalVlmExchange } from './local.js';
export { loadLocalVlm, disposeLocalVlms, LocalVlmModel, EXPECTED_IO } from './local-model.js';
export {
  inspectFolder,
  folderDtype,
  requiredFiles,
  notInstalledError,
  localVlmSettings,
  INSTALL_HINT,
  LOCAL_VLM_DTYPES,
  type LocalVlmDtype,
  type LocalVlmDtypeOption,
} from './local-folder.js';
