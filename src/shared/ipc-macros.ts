/**
 * The macros screen's part of the IPC contract (spread into `channels` in ipc.ts): list, show,
 * edit, record, replay and heal macros. zod schemas and types only (the renderer imports it).
 */
export const macroChannels = {} as const;

/** Events the macros screen receives (merged into IpcEvents in ipc.ts). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface MacroEvents {}
