export { parseMacro } from './parse.js';
export { serializeMacro } from './serialize.js';
export { resolveParams, substitute, substituteDeep, placeholders, type ParamValue, type Row } from './params.js';
export { parseCsv } from './csv.js';
export type { Macro, MacroAction, MacroIf, MacroNode, MacroRepeat, StepPath, Where } from './model.js';
export {
  Anchors,
  Condition,
  Expect,
  Landmark,
  MacroFile,
  MacroFileStep,
  MacroParam,
  OnError,
  ParamType,
} from './schema.js';
