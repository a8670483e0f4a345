import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { startDesktop, type Desktop } from '../../test/desktop/bed/index.js';
import { datasetPng, intersects, type Sample } from './images.js';

const run = promisify(execFile);

export interface GtkScene {
  name: string;
  command: string;
  window: RegExp;
  /** Where the window is moved to, so the same app sits at different places on screen. */
  at: [number, number];
  /** xdotool keys pressed once the window is up (a mode, an open menu). */
  keys: string[];
}

export const GTK_SCENES: GtkScene[] = [
  { name: 'gtk_galculator_basic', command: 'galculator', window: /galculator/, at: [474, 200], keys: [] },
  { name: 'gtk_galculator_scientific', command: 'galculator', window: /galculator/, at: [120, 90], keys: ['alt+v', 'Down', 'Return'] },
  { name: 'gtk_galculator_edit_menu', command: 'galculator', window: /galculator/, at: [700, 120], keys: ['alt+e'] },
  { name: 'gtk_galculator_view_menu', command: 'galculator', window: /galculator/, at: [60, 300], keys: ['alt+v'] },
  { name: 'gtk_mousepad_file_menu', command: 'mousepad', window: /Mousepad/, at: [320, 150], keys: ['alt+f'] },
  { name: 'gtk_mousepad_edit_menu', command: 'mousepad', window: /Mousepad/, at: [40, 40], keys: ['alt+e'] },
  { name: 'gtk_mousepad_search_menu', command: 'mousepad', window: /Mousepad/, at: [500, 100], keys: ['alt+s'] },
  { name: 'gtk_mousepad_view_menu', command: 'mousepad', window: /Mousepad/, at: [200, 220], keys: ['alt+v'] },
  { name: 'gtk_mousepad_document_menu', command: 'mousepad', window: /Mousepad/, at: [600, 60], keys: ['alt+d'] },
];

interface AtspiRow {
  role: string;
  name: string;
  description: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

const MENU_ITEMS = new Set(['menu item', 'check menu item', 'radio menu item']);
const CLICKABLE = new Set(['push button', 'toggle button', 'menu', 'check box', 'radio button', 'combo box', 'page tab', ...MENU_ITEMS]);

/**
 * Real GTK apps on an openbox desktop, each in its own D-Bus session with the accessibility bus
 * on (gtk-session.sh); element boxes come from the AT-SPI tree in screen coordinates.
 */
export async function generateGtk(write: (name: string, png: Buffer) => Promise<void>): Promise<Sample[]> {
  const desktop = await startDesktop({ width: 1280, height: 800, windowManager: true });
  const work = await mkdtemp(path.join(os.tmpdir(), 'deskpilot-dataset-'));
  const samples: Sample[] = [];
  try {
    for (const scene of GTK_SCENES) {
      const rows = await captureScene(desktop, work, scene, write);
      const found = toSamples(`${scene.name}.png`, rows, desktop);
      process.stderr.write(`${scene.name}.png: ${rows.length} accessible elements, ${found.length} samples\n`);
      samples.push(...found);
    }
  } finally {
    await desktop.stop();
    await rm(work, { recursive: true, force: true });
  }
  return samples;
}

async function captureScene(
  desktop: Desktop,
  work: string,
  scene: GtkScene,
  write: (name: string, png: Buffer) => Promise<void>,
): Promise<AtspiRow[]> {
  const script = path.join(import.meta.dirname, 'gtk-session.sh');
  const app = await desktop.launch('dbus-run-session', ['--', 'sh', script, work, scene.name, scene.command]);
  try {
    await desktop.waitForWindow(scene.window, 20_000);
    const xdo = (...args: string[]): Promise<unknown> => run('xdotool', args, { env: desktop.env });
    const wid = (await run('xdotool', ['search', '--name', scene.window.source], { env: desktop.env })).stdout.trim().split('\n');
    for (const id of wid) await xdo('windowmove', id, String(scene.at[0]), String(scene.at[1])).catch(() => undefined);
    // Keys go to the focused window; openbox focuses new windows, but not always before we type.
    const main = wid[wid.length - 1];
    if (main) await xdo('windowactivate', '--sync', main).catch(() => undefined);
    await xdo('mousemove', '1279', '799');
    await sleep(800);
    for (const k of scene.keys) {
      await xdo('key', k);
      await sleep(600);
    }
    await writeFile(path.join(work, `${scene.name}.go`), '');
    await waitForFile(path.join(work, `${scene.name}.dumped`), 20_000);
    await write(`${scene.name}.png`, await datasetPng(await desktop.screenshotPng()));
    const text = await readFile(path.join(work, `${scene.name}.atspi.jsonl`), 'utf8').catch(() => '');
    return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as AtspiRow);
  } finally {
    await writeFile(path.join(work, `${scene.name}.quit`), '');
    await sleep(500);
    await app.stop();
  }
}

async function waitForFile(file: string, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!existsSync(file)) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${file}`);
    await sleep(100);
  }
}

/** Visible, on-screen, unoccluded clickable elements, with the words a person would use. */
export function toSamples(img: string, rows: AtspiRow[], screen: { width: number; height: number }): Sample[] {
  const box = (r: AtspiRow): Sample['bbox'] => [r.x, r.y, r.w, r.h];
  // An open menu covers whatever lies under it, except the menu items themselves.
  const popup = rows.filter((r) => MENU_ITEMS.has(r.role) && r.w > 0);
  const out: Sample[] = [];
  for (const r of rows) {
    if (!CLICKABLE.has(r.role) || r.w < 4 || r.h < 4) continue;
    if (r.x < 0 || r.y < 0 || r.x + r.w > screen.width || r.y + r.h > screen.height) continue;
    if (!MENU_ITEMS.has(r.role) && popup.some((p) => intersects(box(r), box(p)))) continue;
    const label = r.name.replace(/_/g, '').trim().replace(/\s*(\.\.\.|…)$/u, '').trim();
    if (!label) continue;
    const hasWords = /[\p{L}\p{N}]/u.test(label);
    const what = r.role === 'menu' ? 'menu' : MENU_ITEMS.has(r.role) ? '' : 'button';
    let instruction: string;
    let type: Sample['data_type'];
    if (hasWords) {
      type = 'text';
      // Every third one paraphrased the way people say it ("the File menu").
      instruction = out.length % 3 === 1 && what ? `the ${label} ${what}` : label;
    } else {
      const said = r.description.split(/\s{2,}/)[0]?.trim();
      if (!said) continue;
      type = 'icon';
      instruction = `the ${said.toLowerCase()} button`;
    }
    out.push({ img_filename: img, instruction, bbox: box(r), data_type: type, platform: 'linux', source: 'atspi' });
  }
  return out;
}
