import type { Channel, ChannelInput, ChannelOutput, ClientFrame, DeskApi, IpcEventName, IpcEvents, IpcResult, ServerFrame } from '../shared/ipc.js';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in a normal browser. */
    deskpilot?: DeskApi;
  }
}

/** The launch token from the page URL (the host's and Electron's URL both carry it). */
export function launchToken(): string {
  return new URLSearchParams(window.location.search).get('token') ?? '';
}

export function screenshotUrl(id: string): string {
  return `screenshots/${encodeURIComponent(id)}?token=${encodeURIComponent(launchToken())}`;
}

type Listener = (payload: unknown) => void;

/**
 * The contract over the host's WebSocket. Calls made while (re)connecting wait for the socket;
 * a dropped connection fails the calls in flight with a plain message and reconnects.
 */
export function webSocketClient(token = launchToken()): DeskApi & { connected(): Promise<void> } {
  const listeners = new Map<string, Set<Listener>>();
  const waiting = new Map<number, (r: IpcResult<unknown>) => void>();
  let nextId = 1;
  let socket: Promise<WebSocket>;

  const open = (): Promise<WebSocket> =>
    new Promise((resolve, reject) => {
      const url = new URL(`ipc?token=${encodeURIComponent(token)}`, window.location.href);
      url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
      const ws = new WebSocket(url);
      ws.onopen = () => resolve(ws);
      ws.onerror = () => reject(new Error('cannot reach DeskPilot (is `deskpilot ui` still running?)'));
      ws.onmessage = (m) => {
        const frame = JSON.parse(String(m.data)) as ServerFrame;
        if (frame.type === 'result') {
          waiting.get(frame.id)?.(frame.result);
          waiting.delete(frame.id);
        } else for (const l of listeners.get(frame.event) ?? []) l(frame.payload);
      };
      ws.onclose = () => {
        for (const [, settle] of waiting) settle({ ok: false, error: { name: 'AppError', code: 'DISCONNECTED', message: 'the connection to DeskPilot closed' } });
        waiting.clear();
        setTimeout(() => {
          socket = open();
          // A failed reconnect is reported to the next call; it must not surface as an unhandled rejection.
          socket.catch(() => undefined);
        }, 1000);
      };
    });
  socket = open();
  socket.catch(() => undefined);

  return {
    connected: () => socket.then(() => undefined),
    async invoke<C extends Channel>(channel: C, input: ChannelInput<C>): Promise<IpcResult<ChannelOutput<C>>> {
      let ws: WebSocket;
      try {
        ws = await socket;
      } catch (err) {
        return { ok: false, error: { name: 'AppError', code: 'DISCONNECTED', message: err instanceof Error ? err.message : String(err) } };
      }
      const id = nextId++;
      const frame: ClientFrame = { type: 'invoke', id, token, channel, input };
      return new Promise((resolve) => {
        waiting.set(id, resolve as (r: IpcResult<unknown>) => void);
        ws.send(JSON.stringify(frame));
      });
    },
    on<E extends IpcEventName>(event: E, listener: (payload: IpcEvents[E]) => void): () => void {
      const set = listeners.get(event) ?? new Set<Listener>();
      listeners.set(event, set);
      set.add(listener as Listener);
      return () => set.delete(listener as Listener);
    },
  };
}

/** Same interface in both places: the preload's bridge inside Electron, the WebSocket elsewhere. */
export function createClient(): DeskApi {
  return window.deskpilot ?? webSocketClient();
}
