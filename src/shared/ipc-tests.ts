/**
 * The test-runs screen's part of the IPC contract (spread into `channels` in ipc.ts): pick task
 * files, run them, follow progress, open the report. zod schemas and types only.
 */
export const testChannels = {} as const;

/** Events the test-runs screen receives (merged into IpcEvents in ipc.ts). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface TestEvents {}
