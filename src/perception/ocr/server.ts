import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { rmSync } from 'node:fs';
import { errorMessage, throwIfAborted } from '../../shared/errors.js';
import type { Box } from '../../shared/geometry.js';
import { OcrError } from './errors.js';
import { copyRect } from '../frame.js';
import { clampRect } from './image.js';
import { mapLineBoxes } from './words.js';
import type { Ocr, OcrImage, OcrLine, OcrResult, RecognizeOptions } from './types.js';

/**
 * One OCR for several processes: a server holds the models and reads the images its clients send
 * over a Unix socket. `deskpilot test` runs one for all its workers: the models load once (not
 * in every worker's start, ~0.15 s of CPU each) and the first read's memory growth is paid once.
 *
 * A message is a 4-byte big-endian length, a JSON header of that length, a 4-byte length and
 * that many bytes: a request's header is { id, width, height } and its bytes the RGBA pixels of
 * the area read (only that area travels); a reply's header is { id, lines } or { id, error },
 * with no bytes. Boxes in replies are in the pixels of the area; the client moves them back.
 */

interface RequestHeader {
  id: number;
  width: number;
  height: number;
}

interface ReplyHeader {
  id: number;
  lines?: OcrLine[];
  error?: string;
}

/** Serves `ocr` on `socketPath` until closed. Each request is read as it comes (reads may overlap). */
export function serveOcr(socketPath: string, ocr: Ocr): Promise<{ close(): Promise<void> }> {
  rmSync(socketPath, { force: true });
  const clients = new Set<Socket>();
  const server: Server = createServer((socket) => {
    clients.add(socket);
    socket.on('close', () => clients.delete(socket));
    socket.on('error', () => socket.destroy());
    readMessages(socket, (header, data) => {
      const req = header as unknown as RequestHeader;
      const reply = (h: ReplyHeader) => void (socket.writable && send(socket, h));
      // A wrong byte count is the OCR's own error (checkImage), sent back like any other.
      ocr.recognize({ width: req.width, height: req.height, data }).then(
        (result) => reply({ id: req.id, lines: result.lines }),
        (err: unknown) => reply({ id: req.id, error: errorMessage(err) }),
      );
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve({
        close: () =>
          new Promise<void>((done) => {
            for (const c of clients) c.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

export interface ConnectOptions {
  /** How long refused connections are tried again (a server still starting). */
  connectMs?: number;
  /**
   * The OCR to use when the server cannot be reached or goes away (that read and every later
   * one): a run goes on, with models of its own. Without it such reads fail with an OcrError.
   */
  fallback?: () => Ocr;
  /** Told why the fallback took over. */
  onFallback?: (reason: string) => void;
  /**
   * Whether the server's process is still there: a server that died while starting is not waited
   * for (its socket never comes), the read goes to the fallback at once.
   */
  serverAlive?: () => boolean;
}

/** The server is not there (not an error of the read itself): the fallback may take the read. */
class ServerGone extends OcrError {}

/**
 * An Ocr that sends its reads to the server at `socketPath`. It connects at the first read (the
 * server may still be starting: refused connections are tried again for `connectMs`).
 */
export function connectOcr(socketPath: string, options: ConnectOptions = {}): Ocr {
  const { connectMs = 5000, serverAlive = () => true } = options;
  let connection: Promise<Socket> | undefined;
  let local: Ocr | undefined;
  let nextId = 1;
  const pending = new Map<number, { resolve(r: OcrResult): void; reject(e: Error): void }>();
  const closed = () => new ServerGone(`the OCR server (${socketPath}) closed the connection`);
  const connect = (): Promise<Socket> => {
    connection ??= open(socketPath, connectMs, serverAlive).then((socket) => {
      readMessages(socket, (header) => {
        const reply = header as unknown as ReplyHeader;
        const p = pending.get(reply.id);
        if (!p) return; // its read was given up (aborted)
        pending.delete(reply.id);
        if (reply.error !== undefined) p.reject(new OcrError(`the OCR server (${socketPath}): ${reply.error}`));
        else p.resolve({ lines: reply.lines ?? [] });
      });
      socket.on('error', () => undefined); // 'close' follows
      socket.on('close', () => {
        connection = undefined;
        const gone = closed();
        for (const p of pending.values()) p.reject(gone);
        pending.clear();
      });
      return socket;
    });
    connection.catch(() => (connection = undefined));
    return connection;
  };
  const remote = async (image: OcrImage, area: Box, signal?: AbortSignal): Promise<OcrLine[]> => {
    const socket = await connect();
    throwIfAborted(signal);
    const id = nextId++;
    const result = new Promise<OcrResult>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      signal?.addEventListener(
        'abort',
        () => {
          pending.delete(id);
          reject(signal.reason instanceof Error ? signal.reason : new OcrError('the read was aborted'));
        },
        { once: true },
      );
    });
    // A connection that closed since it was made has failed its reads already: this one too.
    if (socket.destroyed) {
      pending.get(id)?.reject(closed());
      pending.delete(id);
    } else send(socket, { id, width: area.width, height: area.height } satisfies RequestHeader, crop(image, area));
    return (await result).lines;
  };
  return {
    async recognize(image: OcrImage, opts: RecognizeOptions = {}): Promise<OcrResult> {
      const { signal } = opts;
      throwIfAborted(signal);
      if (local) return local.recognize(image, opts);
      const area = clampRect(opts.region ?? { x: 0, y: 0, width: image.width, height: image.height }, image.width, image.height);
      if (area.width < 4 || area.height < 4) return { lines: [] };
      let lines: OcrLine[];
      try {
        lines = await remote(image, area, signal);
      } catch (err) {
        if (!(err instanceof ServerGone) || !options.fallback) throw err;
        if (!local) {
          local = options.fallback();
          options.onFallback?.(err.message);
        }
        return local.recognize(image, opts);
      }
      const move = (b: Box): Box => ({ ...b, x: b.x + area.x, y: b.y + area.y });
      return { lines: area.x || area.y ? lines.map((l) => mapLineBoxes(l, move)) : lines };
    },
    async dispose() {
      const socket = await connection?.catch(() => undefined);
      socket?.end();
      connection = undefined;
      await local?.dispose();
    },
  };
}

function open(socketPath: string, connectMs: number, alive: () => boolean): Promise<Socket> {
  const deadline = Date.now() + connectMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const socket = createConnection(socketPath);
      socket.once('connect', () => {
        socket.off('error', retry);
        resolve(socket);
      });
      const retry = (err: NodeJS.ErrnoException) => {
        socket.destroy();
        // Not listening yet (a server still starting): again, until the deadline.
        const starting = (err.code === 'ENOENT' || err.code === 'ECONNREFUSED') && Date.now() < deadline;
        if (starting && alive()) setTimeout(attempt, 20);
        else reject(new ServerGone(`cannot reach the OCR server at ${socketPath}: ${starting ? 'its process is gone' : err.message}`, { cause: err }));
      };
      socket.once('error', retry);
    };
    attempt();
  });
}

/** The RGBA pixels of `area`, rows packed (the image itself when the area is all of it). */
function crop(image: OcrImage, area: Box): Uint8Array {
  if (area.x === 0 && area.y === 0 && area.width === image.width && area.height === image.height) return image.data;
  return copyRect(image, area);
}

/** Writes one message: its lengths and header, then the bytes (not copied). */
function send(socket: Socket, header: object, data?: Uint8Array): void {
  // Padded so that the pixels start 4-byte aligned in the message (the OCR views them as 32-bit).
  const text = JSON.stringify(header);
  const json = Buffer.from(text.padEnd(text.length + ((4 - (text.length % 4)) % 4)));
  const head = Buffer.alloc(8 + json.length);
  head.writeUInt32BE(json.length, 0);
  json.copy(head, 4);
  head.writeUInt32BE(data?.length ?? 0, 4 + json.length);
  socket.cork();
  socket.write(head);
  if (data?.length) socket.write(data);
  socket.uncork();
}

/** Calls `onMessage` for each whole message that arrives on `socket`. */
function readMessages(socket: Socket, onMessage: (header: Record<string, unknown>, data: Uint8Array) => void): void {
  let chunks: Buffer[] = [];
  let buffered = 0;
  // The whole length of the message being received, once its lengths have arrived.
  let need: number | undefined;
  const joined = (): Buffer => {
    if (chunks.length > 1) chunks = [Buffer.concat(chunks, buffered)];
    return chunks[0]!;
  };
  socket.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    buffered += chunk.length;
    for (;;) {
      if (need === undefined) {
        if (buffered < 4) return;
        const jsonLength = joined().readUInt32BE(0);
        if (buffered < 8 + jsonLength) return;
        need = 8 + jsonLength + joined().readUInt32BE(4 + jsonLength);
      }
      // The pixels arrive in many chunks: joined once, when all are here.
      if (buffered < need) return;
      const all = joined();
      const jsonLength = all.readUInt32BE(0);
      const header = JSON.parse(all.toString('utf8', 4, 4 + jsonLength)) as Record<string, unknown>;
      let data: Uint8Array = all.subarray(8 + jsonLength, need);
      if (data.byteOffset % 4) data = new Uint8Array(data); // a copy, aligned (rare: see send)
      const rest = all.subarray(need);
      chunks = rest.length ? [rest] : [];
      buffered = rest.length;
      need = undefined;
      onMessage(header, data);
    }
  });
}
