/** Recording SOP macros: global input capture, cleanup into Steps, evidence, the macro file. */
export { InputCapture, activeWindowTitle, type CaptureOptions, type CapturedSession } from './capture.js';
export { cleanupEvents, type CleanupOptions } from './cleanup.js';
export { buildSteps, type BuildOptions, type BuildResult, type RecordedStep } from './build.js';
export { cropArea, evidenceAt, readFrame, screenChange, templateCrop, type FrameReading, type PointEvidence, type ScreenChange } from './evidence.js';
export { isSecretField, secretName } from './secrets.js';
export { commandLine } from './command-line.js';
export { cropsDirOf, macroSource, writeRecording } from './write.js';
export { finishRecording, type FinishOptions, type Recording } from './session.js';
export { charOf, keyName, modifierOf } from './keymap.js';
export type { InputEvent, RecordedAction } from './events.js';
