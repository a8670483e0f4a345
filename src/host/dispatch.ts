import { AppError, serializeError, UserInputError } from '../shared/errors.js';
import { channels, isChannel, type Channel, type ChannelOutput, type IpcResult } from '../shared/ipc.js';
import type { z } from 'zod';

/** One function per channel, receiving the parsed input. */
export type Handlers = {
  [C in Channel]: (input: z.infer<(typeof channels)[C]['input']>) => Promise<ChannelOutput<C>>;
};

/**
 * The one entry point for both transports (WebSocket in src/host, ipcMain in src/main): the
 * channel must exist, the input must parse, and whatever happens the caller gets an IpcResult —
 * a bad input is a USER_INPUT error naming the field, never a crash of the server.
 */
export async function dispatch(handlers: Handlers, channel: unknown, raw: unknown): Promise<IpcResult<unknown>> {
  if (!isChannel(channel)) {
    return { ok: false, error: serializeError(new UserInputError(`unknown IPC channel ${JSON.stringify(channel)}; known: ${Object.keys(channels).join(', ')}`, {}, { code: 'IPC_UNKNOWN_CHANNEL' })) };
  }
  const parsed = channels[channel].input.safeParse(raw ?? {});
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') : 'input'}: ${i.message}`).join('; ');
    return { ok: false, error: serializeError(new UserInputError(`${channel}: bad input (${why})`, {}, { code: 'IPC_BAD_INPUT' })) };
  }
  try {
    const handler = handlers[channel] as (input: unknown) => Promise<unknown>;
    return { ok: true, value: await handler(parsed.data) };
  } catch (err) {
    return { ok: false, error: serializeError(err instanceof AppError || err instanceof Error ? err : new AppError('INTERNAL', String(err))) };
  }
}
