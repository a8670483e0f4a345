import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { DeskApi } from '../shared/ipc.js';

// The same names as src/main/logic.ts (the preload may not import main's module graph).
const INVOKE_CHANNEL = 'deskpilot:invoke';
const EVENT_CHANNEL = 'deskpilot:event';

/** The only thing the page gets from Electron: the typed contract's invoke and on. */
const api: DeskApi = {
  // The main process parses the input and shapes the answer; the bridge only carries it.
  invoke: (channel, input) => ipcRenderer.invoke(INVOKE_CHANNEL, channel, input) as Promise<never>,
  on(event, listener) {
    const handler = (_e: IpcRendererEvent, name: string, payload: unknown) => {
      if (name === event) listener(payload as never);
    };
    ipcRenderer.on(EVENT_CHANNEL, handler);
    return () => void ipcRenderer.removeListener(EVENT_CHANNEL, handler);
  },
};

contextBridge.exposeInMainWorld('deskpilot', api);
