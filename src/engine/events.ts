// The events live in shared: the IPC contract sends them to the UI as they are.
export type { EngineEvent, EngineListener } from '../shared/events.js';
