import type { Box } from '../shared/geometry.js';

/**
 * The always-on-top status widget shown while a run is active: where it goes and the page it
 * shows. The page talks to main only through the widget preload (src/preload/widget.ts).
 * The engine never sees it: its bounds are masked out of every capture
 * (src/perception/masked-source.ts), and content protection hides it where the OS honours that.
 */
export const WIDGET_SIZE = { width: 360, height: 92 } as const;

export type Corner = 'bottom-right' | 'bottom-left' | 'top-right' | 'top-left';

/** The widget's bounds in a display's work area (the screen minus panels and docks). */
export function widgetBounds(workArea: Box, corner: Corner = 'bottom-right', size: { width: number; height: number } = WIDGET_SIZE, margin = 12): Box {
  const width = Math.min(size.width, Math.max(1, workArea.width - 2 * margin));
  const height = Math.min(size.height, Math.max(1, workArea.height - 2 * margin));
  const left = corner.endsWith('left');
  const top = corner.startsWith('top');
  return {
    x: Math.round(left ? workArea.x + margin : workArea.x + workArea.width - margin - width),
    y: Math.round(top ? workArea.y + margin : workArea.y + workArea.height - margin - height),
    width,
    height,
  };
}

/** The widget's page: the step in flight, Pause/Resume, Stop, and Show for the main window. */
export function widgetHtml(): string {
  return `<!doctype html>
<html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>DeskPilot run</title>
<style>
body{margin:0;font:13px system-ui,'DejaVu Sans',sans-serif;background:#1d2330;color:#fff;border-radius:8px;overflow:hidden;-webkit-app-region:drag;user-select:none}
.w{padding:8px 10px;display:flex;flex-direction:column;gap:6px;height:100vh;box-sizing:border-box}
#line{font-weight:600;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
#status{color:#c9cfdb;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.b{display:flex;gap:6px;-webkit-app-region:no-drag}
button{font:inherit;padding:3px 10px;border-radius:5px;border:1px solid #c9cfdb;background:#fff;color:#1d2330;cursor:pointer}
#stop{color:#b3261e;border-color:#b3261e;font-weight:600}
</style></head>
<body><div class="w"><div id="line"></div><div id="status"></div>
<div class="b"><button id="pause" type="button">Pause</button><button id="stop" type="button">Stop</button><button id="show" type="button">Show DeskPilot</button></div></div>
<script>
const $ = (id) => document.getElementById(id);
let pause = null;
window.widget.onView((v) => {
  $('line').textContent = v.line;
  $('status').textContent = v.status;
  pause = v.pause;
  $('pause').textContent = v.pause || 'Pause';
  $('pause').disabled = !v.pause;
});
$('pause').onclick = () => pause && window.widget.act(pause === 'Pause' ? 'pause' : 'resume');
$('stop').onclick = () => window.widget.act('stop');
$('show').onclick = () => window.widget.act('show');
</script></body></html>`;
}

export function dataUrl(html: string): string {
  return `data:text/html;charset=utf-8,${encodeURIComponent(html)}`;
}
