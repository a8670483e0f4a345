import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, desktopCapturer, globalShortcut, ipcMain, Menu, nativeImage, Notification, screen, shell, Tray, type NativeImage } from 'electron';
import { createAppContext } from '../app/context.js';
import { openHost, type OpenHost } from '../host/index.js';
import { createScreenSource } from '../perception/create.js';
import { ExcludedAreas, MaskedScreenSource } from '../perception/masked-source.js';
import type { IpcEventName, IpcEvents } from '../shared/ipc.js';
import { DesktopCapturerSource } from './desktop-capturer-source.js';
import { registerStopHotkey } from './hotkey.js';
import { attentionFor, controlRun, EVENT_CHANNEL, handleInvoke, INVOKE_CHANNEL, onStopHotkey, WIDGET_ACTION_CHANNEL, WIDGET_VIEW_CHANNEL } from './logic.js';
import { IDLE, nextRunState, trayMenu, trayTooltip, widgetView, type RunState, type TrayAction } from './run-state.js';
import { dataUrl, widgetBounds, widgetHtml } from './widget.js';

/**
 * The Electron app: the same host as `deskpilot ui`, in-process, shown in a window whose preload
 * exposes only invoke/on; a tray; a status widget while a run is active, masked out of what the
 * engine sees; the global stop hotkey. Every decision is in a pure, tested module (logic.ts,
 * run-state.ts, hotkey.ts, widget.ts, desktop-capturer-source.ts); this file only wires them to
 * Electron. Built by src/main/start.ts (esbuild) to dist/main/index.mjs.
 */
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, '..', '..');
let host: OpenHost | undefined;
let win: BrowserWindow | undefined;
let widget: BrowserWindow | undefined;
let tray: Tray | undefined;
let state: RunState = IDLE;
/** The widget's bounds, kept out of every capture the engine makes. */
const excluded = new ExcludedAreas();

if (!app.requestSingleInstanceLock()) {
  // A second launch focuses the first window instead of driving the mouse twice.
  app.quit();
} else {
  app.on('second-instance', showWindow);
  app.whenReady().then(start, (err: unknown) => fail(err));
}

async function start(): Promise<void> {
  const ctx = createAppContext({ env: process.env, flags: {} });
  const { stopHotkey, captureSource } = ctx.config.desktopApp;
  host = await openHost(ctx, {
    rendererDir: path.join(here, '..', 'renderer'),
    // Whichever capture, the widget is painted out before perception sees the frame.
    screen: async () => {
      const inner = captureSource === 'desktop-capturer' ? new DesktopCapturerSource({ getSources: (o) => desktopCapturer.getSources(o), getAllDisplays: () => screen.getAllDisplays(), getPrimaryDisplay: () => screen.getPrimaryDisplay() }) : await createScreenSource({ ...(ctx.display ? { display: ctx.display } : {}), logger: ctx.logger });
      return new MaskedScreenSource(inner, excluded);
    },
  });
  const origin = new URL(host.url).origin;
  const service = host.service;
  ipcMain.handle(INVOKE_CHANNEL, (e, channel: unknown, input: unknown) => handleInvoke(service, e.senderFrame?.url ?? '', origin, channel, input));
  win = new BrowserWindow({
    width: 1100,
    height: 800,
    title: 'DeskPilot',
    icon: icon(false),
    webPreferences: { preload: path.join(here, '..', 'preload', 'index.cjs'), contextIsolation: true, nodeIntegration: false, sandbox: true },
  });
  const off = service.subscribe((event, payload) => {
    win?.webContents.send(EVENT_CHANNEL, event, payload);
    onServiceEvent(event, payload);
  });
  win.on('closed', () => {
    off();
    win = undefined;
  });
  // Links (full-size screenshots) open in the person's browser, never inside the app window.
  win.webContents.setWindowOpenHandler(({ url }) => {
    void shell.openExternal(url);
    return { action: 'deny' };
  });

  const hotkey = registerStopHotkey((acc, cb) => globalShortcut.register(acc, cb), stopHotkey, () => ctx.logger.info({ result: onStopHotkey(service, hotkey.registered) }, 'stop hotkey'));
  if (hotkey.warning) {
    ctx.logger.warn({ configured: stopHotkey, registered: hotkey.registered }, hotkey.warning);
    notify('DeskPilot stop hotkey', hotkey.warning);
  }

  const act = (action: TrayAction | 'show') => {
    if (action === 'show') return showWindow();
    if (action === 'quit') return app.quit();
    void controlRun(service, state, action, action === 'stop' ? 'tray or widget' : 'app').then((r) => ctx.logger.info({ action, result: r }, 'run control'));
  };
  tray = new Tray(icon(false));
  tray.on('click', showWindow);
  renderTray(act);
  ipcMain.on(WIDGET_ACTION_CHANNEL, (e, action: unknown) => {
    // Only the widget's own page may press its buttons.
    if (!widget || e.sender !== widget.webContents) return;
    if (action === 'pause' || action === 'resume' || action === 'stop' || action === 'show') act(action);
  });

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

  function onServiceEvent<E extends IpcEventName>(event: E, payload: IpcEvents[E]): void {
    const before = state;
    state = nextRunState(state, event, payload);
    if (event === 'confirm.request') askForAttention(payload as IpcEvents['confirm.request']);
    if (state === before) return;
    renderTray(act);
    renderWidget();
  }
}

function renderTray(act: (a: TrayAction) => void): void {
  if (!tray) return;
  tray.setToolTip(trayTooltip(state));
  tray.setImage(icon(state.phase !== 'idle'));
  tray.setContextMenu(Menu.buildFromTemplate(trayMenu(state).map((i) => (i.type === 'separator' ? { type: 'separator' as const } : { label: i.label, enabled: i.enabled, click: () => act(i.action) }))));
}

/** The status widget follows the run: shown (without taking focus) while one is active, its bounds masked. */
function renderWidget(): void {
  const view = widgetView(state);
  if (!view.visible) {
    widget?.hide();
    excluded.set([]);
    return;
  }
  if (!widget) {
    const bounds = widgetBounds(screen.getPrimaryDisplay().workArea);
    widget = new BrowserWindow({
      ...bounds,
      frame: false,
      resizable: false,
      alwaysOnTop: true,
      skipTaskbar: true,
      focusable: false,
      show: false,
      title: 'DeskPilot run',
      webPreferences: { preload: path.join(here, '..', 'preload', 'widget.cjs'), contextIsolation: true, nodeIntegration: false, sandbox: true },
    });
    widget.setAlwaysOnTop(true, 'screen-saver');
    // Windows and macOS leave it out of screen captures; elsewhere the mask does it.
    widget.setContentProtection(true);
    const track = () => excluded.set(widget?.isVisible() ? [widget.getBounds()] : []);
    widget.on('move', track);
    widget.on('resize', track);
    widget.on('show', track);
    widget.on('hide', track);
    widget.on('closed', () => {
      widget = undefined;
      excluded.set([]);
    });
    void widget.loadURL(dataUrl(widgetHtml())).then(() => widget?.webContents.send(WIDGET_VIEW_CHANNEL, widgetView(state)));
  }
  // Masked before it appears: a capture between show and the 'show' event must not see it.
  excluded.set([widget.getBounds()]);
  widget.webContents.send(WIDGET_VIEW_CHANNEL, view);
  if (!widget.isVisible()) widget.showInactive();
}

function askForAttention(req: IpcEvents['confirm.request']): void {
  const how = attentionFor(win && { visible: win.isVisible(), minimized: win.isMinimized(), focused: win.isFocused() }, Notification.isSupported());
  if (how === 'notify') notify('DeskPilot needs your OK', `${req.description} — ${req.reasons.join('; ')}`, showWindow);
  if (how === 'show') showWindow();
}

function showWindow(): void {
  if (!win) return;
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
}

function notify(title: string, body: string, onClick?: () => void): void {
  if (!Notification.isSupported()) return;
  const n = new Notification({ title, body, icon: icon(false) });
  if (onClick) n.on('click', onClick);
  n.show();
}

function icon(running: boolean): NativeImage {
  return nativeImage.createFromPath(path.join(root, 'assets', running ? 'tray-icon-running.png' : 'tray-icon.png'));
}

function fail(err: unknown): void {
  console.error(`DeskPilot could not start: ${err instanceof Error ? err.message : String(err)}`);
  app.exit(1);
}
