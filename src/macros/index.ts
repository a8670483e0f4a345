export * from './format/index.js';
export { saveMacro, loadMacro, listMacros, macroFile, pendingRepairs, setPendingRepairs, type LoadedMacro, type MacroListing, type SavedMacro } from './library.js';
export { applyRepairs } from './heal.js';
export { unifiedDiff } from './diff.js';
export { LadderGrounder, RUNGS, type LadderIntent, type LadderOptions, type LadderResult, type LadderRungs, type RungName } from './replay/ladder.js';
export { MacroStepSource, type MacroSourceOptions } from './replay/source.js';
export type { Repair } from './replay/repair.js';
export { createReplayGrounding, type ReplayGroundingOptions } from './replay/setup.js';
export { replayMacro, type ReplayOptions, type ReplayResult } from './replay/replay.js';
