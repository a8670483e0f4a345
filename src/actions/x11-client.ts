import { readFileSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { homedir, hostname } from 'node:os';
import path from 'node:path';
import { ActionError, errorMessage } from '../shared/errors.js';
import { displaySocket } from './x11-display.js';

/**
 * A small X11 protocol client (the core requests that reading windows needs: atoms, properties,
 * the window tree, map state), spoken over the display's socket from this process. It answers
 * in well under a millisecond what an xdotool process took 5-15 ms and a fork to ask, which adds
 * up at one active-window read per step and a window poll per setup wait.
 */

/** A window's property value: its type atom, format (8, 16 or 32 bits per item) and bytes. */
export interface PropertyValue {
  type: number;
  format: number;
  data: Buffer;
}

/** An X error reply to one request: that request fails, the connection stays usable. */
export class X11RequestError extends Error {
  constructor(
    readonly code: number,
    readonly request: string,
  ) {
    super(`X11 ${request} failed: ${X11_ERRORS[code] ?? `error ${code}`}`);
    this.name = 'X11RequestError';
  }
}

const X11_ERRORS: Record<number, string> = { 2: 'BadValue', 3: 'BadWindow', 5: 'BadAtom', 8: 'BadMatch', 11: 'BadAlloc' };

/** Map state of a window (GetWindowAttributes): only a viewable one is on screen. */
export const MAP_STATE = { unmapped: 0, unviewable: 1, viewable: 2 } as const;

interface Pending {
  seq: number;
  request: string;
  resolve(reply: Buffer): void;
  reject(err: Error): void;
}

export class X11Connection {
  private seq = 0;
  private readonly pending: Pending[] = [];
  private input: Buffer = Buffer.alloc(0);
  private readonly atoms = new Map<string, Promise<number>>();
  private failure: Error | undefined;
  private nextId = 0;
  private readonly listeners = new Set<(event: Buffer) => void>();
  /** Errors about requests sent without a reply to wait for (the last few), by sequence number. */
  private readonly unmatched = new Map<number, number>();

  private constructor(
    private readonly socket: Socket,
    readonly display: string,
    /** The first screen's root window. */
    readonly root: number,
    private readonly ids: { base: number; mask: number },
    /** The server's keycode range. */
    readonly keycodes: { min: number; max: number },
  ) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    const fail = (err: Error) => {
      this.failure ??= err;
      for (const p of this.pending.splice(0)) p.reject(err);
    };
    socket.on('error', (err) => fail(new ActionError(`the X display ${display} connection failed: ${err.message}`, { cause: err })));
    socket.on('close', () => fail(new ActionError(`the X display ${display} closed the connection`)));
    // An idle connection does not keep the process alive.
    socket.unref();
  }

  /** Connects to `display` (":N", "unix:N", "host:N"), with the MIT-MAGIC-COOKIE-1 from XAUTHORITY when there is one. */
  static async open(display: string, timeoutMs = 2000): Promise<X11Connection> {
    const { where, at, local, number } = displaySocket(display);
    const socket = createConnection(where);
    socket.setNoDelay?.(true);
    try {
      const setup = await new Promise<Buffer>((resolve, reject) => {
        let got = Buffer.alloc(0);
        const timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        const done = (err?: Error, reply?: Buffer) => {
          clearTimeout(timer);
          socket.off('data', onData);
          if (err) reject(err);
          else resolve(reply!);
        };
        const onData = (chunk: Buffer) => {
          got = Buffer.concat([got, chunk]);
          if (got.length < 8) return;
          const total = 8 + got.readUInt16LE(6) * 4;
          if (got.length >= total) done(undefined, got.subarray(0, total));
        };
        socket.on('data', onData);
        socket.once('error', (err) => done(err));
        socket.once('connect', () => socket.write(setupRequest(cookieFor(local, number))));
      });
      const status = setup[0];
      if (status !== 1) {
        const reason = status === 0 ? setup.subarray(8, 8 + setup[1]!).toString('latin1') : 'the server asks for more authentication';
        throw new Error(`the server refused the connection: ${reason.trim() || 'no reason given'}`);
      }
      const vendorLength = setup.readUInt16LE(24);
      const formats = setup[29]!;
      const root = setup.readUInt32LE(40 + pad4(vendorLength) + 8 * formats);
      const ids = { base: setup.readUInt32LE(12), mask: setup.readUInt32LE(16) };
      return new X11Connection(socket, display, root, ids, { min: setup[34]!, max: setup[35]! });
    } catch (err) {
      socket.destroy();
      throw new ActionError(`cannot connect to the X display ${display} (${at}): ${errorMessage(err)}`, { cause: err });
    }
  }

  get closed(): boolean {
    return this.failure !== undefined;
  }

  close(): void {
    this.failure ??= new ActionError(`the X display ${this.display} connection was closed`);
    this.socket.destroy();
  }

  /** The atom named `name` (cached); 0 when `onlyIfExists` and the server has none. */
  atom(name: string, onlyIfExists = false): Promise<number> {
    const key = `${onlyIfExists ? '?' : ''}${name}`;
    let atom = this.atoms.get(key);
    if (!atom) {
      const bytes = Buffer.from(name, 'latin1');
      const req = Buffer.alloc(8 + pad4(bytes.length));
      req[0] = 16; // InternAtom
      req[1] = onlyIfExists ? 1 : 0;
      req.writeUInt16LE(req.length / 4, 2);
      req.writeUInt16LE(bytes.length, 4);
      bytes.copy(req, 8);
      atom = this.request(req, 'InternAtom').then((r) => r.readUInt32LE(8));
      // Not kept: a failed look-up, nor "none yet" (a window manager creates its atoms when it starts).
      atom.then((a) => a === 0 && this.atoms.delete(key), () => this.atoms.delete(key));
      this.atoms.set(key, atom);
    }
    return atom;
  }

  /** The name of `atom`. */
  async atomName(atom: number): Promise<string> {
    const r = await this.request(idRequest(17, atom), 'GetAtomName');
    return r.subarray(32, 32 + r.readUInt16LE(8)).toString('latin1');
  }

  /** A property of `window`, whole (up to 256 KB); undefined when the window does not have it. */
  async property(window: number, name: string): Promise<PropertyValue | undefined> {
    const property = await this.atom(name, true);
    if (property === 0) return undefined; // no window has ever had it
    const req = Buffer.alloc(24);
    req[0] = 20; // GetProperty
    req.writeUInt16LE(6, 2);
    req.writeUInt32LE(window, 4);
    req.writeUInt32LE(property, 8);
    req.writeUInt32LE(0, 12); // AnyPropertyType
    req.writeUInt32LE(0, 16);
    req.writeUInt32LE(65536, 20); // in 32-bit units
    const r = await this.request(req, 'GetProperty');
    const format = r[1]!;
    const type = r.readUInt32LE(8);
    if (type === 0) return undefined;
    const items = r.readUInt32LE(16);
    return { type, format, data: Buffer.from(r.subarray(32, 32 + (items * format) / 8)) };
  }

  /** The children of `window`, bottom to top. */
  async children(window: number): Promise<number[]> {
    const r = await this.request(idRequest(15, window), 'QueryTree');
    const n = r.readUInt16LE(16);
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push(r.readUInt32LE(32 + 4 * i));
    return out;
  }

  /** The window's map state (MAP_STATE). */
  async mapState(window: number): Promise<number> {
    const r = await this.request(idRequest(3, window), 'GetWindowAttributes');
    return r[26]!;
  }

  /** Where the pointer is, in root coordinates. */
  async pointer(): Promise<{ x: number; y: number }> {
    const r = await this.request(idRequest(38, this.root), 'QueryPointer');
    return { x: r.readInt16LE(16), y: r.readInt16LE(18) };
  }

  /** The child of `window` that holds the pointer; 0 when none does. */
  async pointerChild(window: number): Promise<number> {
    return (await this.request(idRequest(38, window), 'QueryPointer')).readUInt32LE(12);
  }

  /** The window with the keyboard focus; 0 (None) or 1 (PointerRoot) when no window has it. */
  async inputFocus(): Promise<number> {
    const req = Buffer.alloc(4);
    req[0] = 43; // GetInputFocus
    req.writeUInt16LE(1, 2);
    return (await this.request(req, 'GetInputFocus')).readUInt32LE(8);
  }

  /** The window's box in root coordinates (its border excluded). */
  async rootBox(window: number): Promise<{ x: number; y: number; width: number; height: number }> {
    const req = Buffer.alloc(16);
    req[0] = 40; // TranslateCoordinates
    req.writeUInt16LE(4, 2);
    req.writeUInt32LE(window, 4);
    req.writeUInt32LE(this.root, 8);
    const [geometry, origin] = await Promise.all([
      this.request(idRequest(14, window), 'GetGeometry'),
      this.request(req, 'TranslateCoordinates'),
    ]);
    return { x: origin.readInt16LE(12), y: origin.readInt16LE(14), width: geometry.readUInt16LE(16), height: geometry.readUInt16LE(18) };
  }

  /** A new resource id (for a damage object and the like). */
  allocateId(): number {
    this.nextId++;
    if (this.nextId > this.ids.mask) throw new ActionError(`the X display ${this.display} connection has used up its resource ids`);
    return (this.ids.base | (this.nextId & this.ids.mask)) >>> 0;
  }

  /** Whether the server has the extension `name`, and its opcode and first event code. */
  async extension(name: string): Promise<{ opcode: number; firstEvent: number } | undefined> {
    const bytes = Buffer.from(name, 'latin1');
    const req = Buffer.alloc(8 + pad4(bytes.length));
    req[0] = 98; // QueryExtension
    req.writeUInt16LE(req.length / 4, 2);
    req.writeUInt16LE(bytes.length, 4);
    bytes.copy(req, 8);
    const r = await this.request(req, 'QueryExtension');
    return r[8] ? { opcode: r[9]!, firstEvent: r[10]! } : undefined;
  }

  /**
   * A round trip: once it resolves, every event the server sent before it handled this request
   * has been passed to the event listeners (X keeps a connection's replies and events in order).
   */
  async sync(): Promise<void> {
    await this.inputFocus();
  }

  /** Calls `listener` with each event (32 bytes; code in byte 0, bit 7 set when sent by a client). */
  onEvent(listener: (event: Buffer) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Sends a request that has no reply (an extension's set-up, say) and returns its sequence
   * number. An X error about it is kept: after a sync(), `errorFor(seq)` tells.
   */
  send(req: Buffer): number {
    if (this.failure) throw this.failure;
    this.seq = (this.seq + 1) & 0xffff;
    this.socket.write(req);
    return this.seq;
  }

  /** The X error code the server answered request `seq` (sent with send()) with, if it did. */
  errorFor(seq: number): number | undefined {
    return this.unmatched.get(seq);
  }

  /** A request with a reply (raw: 32 bytes and more); for extension requests. */
  request(req: Buffer, name: string): Promise<Buffer> {
    if (this.failure) return Promise.reject(this.failure);
    this.seq = (this.seq + 1) & 0xffff;
    const seq = this.seq;
    return new Promise((resolve, reject) => {
      this.pending.push({ seq, request: name, resolve, reject });
      // Waiting for a reply keeps the process alive; an idle connection does not.
      if (this.pending.length === 1) this.socket.ref();
      this.socket.write(req);
    });
  }

  private receive(chunk: Buffer): void {
    this.input = this.input.length ? Buffer.concat([this.input, chunk]) : chunk;
    for (;;) {
      if (this.input.length < 32) break;
      const kind = this.input[0]!;
      // Replies and generic events carry a length beyond their first 32 bytes.
      const size = kind === 1 || (kind & 0x7f) === 35 ? 32 + this.input.readUInt32LE(4) * 4 : 32;
      if (this.input.length < size) break;
      const message = this.input.subarray(0, size);
      this.input = this.input.subarray(size);
      if (kind !== 0 && kind !== 1) {
        for (const listener of this.listeners) listener(message);
        continue;
      }
      const seq = message.readUInt16LE(2);
      const i = this.pending.findIndex((p) => p.seq === seq);
      if (i < 0) {
        if (kind === 0) this.unmatched.set(seq, message[1]!);
        if (this.unmatched.size > 16) this.unmatched.delete(this.unmatched.keys().next().value!);
        continue;
      }
      const [p] = this.pending.splice(i, 1);
      if (kind === 1) p!.resolve(message);
      else p!.reject(new X11RequestError(message[1]!, p!.request));
    }
    if (this.pending.length === 0) this.socket.unref();
  }
}

function pad4(n: number): number {
  return (n + 3) & ~3;
}

/** A request whose only argument is one window, drawable or atom (QueryTree, GetWindowAttributes, GetGeometry, QueryPointer, GetAtomName). */
function idRequest(opcode: number, id: number): Buffer {
  const req = Buffer.alloc(8);
  req[0] = opcode;
  req.writeUInt16LE(2, 2);
  req.writeUInt32LE(id, 4);
  return req;
}

/** The connection setup: little-endian, protocol 11.0, with an authorisation when there is one. */
function setupRequest(auth: { name: string; data: Buffer } | undefined): Buffer {
  const name = Buffer.from(auth?.name ?? '', 'latin1');
  const data = auth?.data ?? Buffer.alloc(0);
  const req = Buffer.alloc(12 + pad4(name.length) + pad4(data.length));
  req[0] = 0x6c; // 'l'
  req.writeUInt16LE(11, 2);
  req.writeUInt16LE(0, 4);
  req.writeUInt16LE(name.length, 6);
  req.writeUInt16LE(data.length, 8);
  name.copy(req, 12);
  data.copy(req, 12 + pad4(name.length));
  return req;
}

/**
 * The MIT-MAGIC-COOKIE-1 for display `number` from the Xauthority file (XAUTHORITY, else
 * ~/.Xauthority), as Xlib picks it: this host's local entry or a wildcard one. None (a server
 * without access control, such as the runner's Xvfb) when there is no file or no entry.
 */
function cookieFor(local: boolean, number: string): { name: string; data: Buffer } | undefined {
  let file: Buffer;
  try {
    file = readFileSync(process.env['XAUTHORITY'] || path.join(homedir(), '.Xauthority'));
  } catch {
    return undefined;
  }
  const host = hostname();
  let at = 0;
  const field = () => {
    const n = file.readUInt16BE(at);
    const v = file.subarray(at + 2, at + 2 + n);
    at += 2 + n;
    return v;
  };
  try {
    while (at < file.length) {
      const family = file.readUInt16BE(at);
      at += 2;
      const [address, num, name, data] = [field(), field(), field(), field()];
      const hostMatches = family === 65535 || (local && family === 256 && address.toString('latin1') === host);
      const numberMatches = num.length === 0 || num.toString('latin1') === number;
      if (hostMatches && numberMatches && name.toString('latin1') === 'MIT-MAGIC-COOKIE-1') return { name: 'MIT-MAGIC-COOKIE-1', data: Buffer.from(data) };
    }
  } catch {
    // a truncated file: whatever was read before
  }
  return undefined;
}
