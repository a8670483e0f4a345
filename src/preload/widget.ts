import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';

// The same names as src/main/logic.ts (the preload may not import main's module graph).
const WIDGET_VIEW_CHANNEL = 'deskpilot:widget-view';
const WIDGET_ACTION_CHANNEL = 'deskpilot:widget-action';

type WidgetAction = 'pause' | 'resume' | 'stop' | 'show';
interface WidgetView {
  line: string;
  status: string;
  pause: 'Pause' | 'Resume' | null;
}

/** The status widget's page gets two things: its view, and its buttons. */
contextBridge.exposeInMainWorld('widget', {
  onView(listener: (v: WidgetView) => void) {
    ipcRenderer.on(WIDGET_VIEW_CHANNEL, (_e: IpcRendererEvent, v: WidgetView) => listener(v));
  },
  act(action: WidgetAction) {
    if (['pause', 'resume', 'stop', 'show'].includes(action)) ipcRenderer.send(WIDGET_ACTION_CHANNEL, action);
  },
});
