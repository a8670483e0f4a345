import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, globalShortcut, ipcMain, shell } from 'electron';
import { createAppContext } from '../app/context.js';
import { openHost, type OpenHost } from '../host/index.js';
import { EVENT_CHANNEL, handleInvoke, INVOKE_CHANNEL, onStopHotkey, STOP_HOTKEY } from './logic.js';

/**
 * The Electron app: the same host as `deskpilot ui`, in-process, shown in a window whose preload
 * exposes only invoke/on. Built by src/main/start.ts (esbuild) to dist/main/index.mjs.
 */
const here = path.dirname(fileURLToPath(import.meta.url));
let host: OpenHost | undefined;
let win: BrowserWindow | undefined;

if (!app.requestSingleInstanceLock()) {
  // A second launch focuses the first window instead of driving the mouse twice.
  app.quit();
} else {
  app.on('second-instance', () => {
    if (win?.isMinimized()) win.restore();
    win?.focus();
  });
  app.whenReady().then(start, (err: unknown) => fail(err));
}

async function start(): Promise<void> {
  const ctx = createAppContext({ env: process.env, flags: {} });
  host = await openHost(ctx, { rendererDir: path.join(here, '..', 'renderer') });
  const origin = new URL(host.url).origin;
  const service = host.service;
  ipcMain.handle(INVOKE_CHANNEL, (e, channel: unknown, input: unknown) => handleInvoke(service, e.senderFrame?.url ?? '', origin, channel, input));
  win = new BrowserWindow({
    width: 1100,
    height: 800,
    title: 'DeskPilot',
    webPreferences: { preload: path.join(here, '..', 'preload', 'index.cjs'), contextIsolation: true, nodeIntegration: false, sandbox: true },
  });
  const off = service.subscribe((event, payload) => win?.webContents.send(EVENT_CHANNEL, event, payload));
  win.on('closed', () => {
    off();
    win = undefined;
  });
  // Links (full-size screenshots) open in the person's browser, never inside the app window.
  win.webContents.setWindowOpenHandler(({ url }) => {
    void shell.openExternal(url);
    return { action: 'deny' };
  });
  if (!globalShortcut.register(STOP_HOTKEY, () => onStopHotkey(service))) {
    ctx.logger.warn({ hotkey: STOP_HOTKEY }, 'the stop hotkey is taken by another program; use the Stop button');
  }
  await win.loadURL(host.url);
  app.on('window-all-closed', () => app.quit());
  app.on('will-quit', (e) => {
    globalShortcut.unregisterAll();
    if (!host) return;
    e.preventDefault();
    const h = host;
    host = undefined;
    void h.close().finally(() => ctx.dispose().finally(() => app.exit(0)));
  });
}

function fail(err: unknown): void {
  console.error(`DeskPilot could not start: ${err instanceof Error ? err.message : String(err)}`);
  app.exit(1);
}
