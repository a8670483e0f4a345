/**
 * The settings screen's part of the IPC contract beyond `settings.get`/`settings.set` (spread into
 * `channels` in ipc.ts): endpoints per role, cascade, safety policy, secrets by name. zod and types only.
 */
export const settingsChannels = {} as const;
