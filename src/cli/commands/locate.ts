import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { setupGrounding } from '../../app/grounding-setup.js';
import { annotate } from '../../perception/annotate.js';
import { decodeImage } from '../../perception/image.js';
import { createScreenSource } from '../../perception/index.js';
import { parseCommands } from '../../planner/commands/parse.js';
import { desktopToScreen } from '../../shared/coords.js';
import { UserInputError } from '../../shared/errors.js';
import type { Frame, Grounder } from '../../shared/ports.js';
import type { Target } from '../../shared/target.js';
import { withApp } from '../compose.js';
import type { CliIo } from '../output.js';

interface LocateFlags {
  image?: string;
  grounder?: string;
  out?: string;
}

/** `"Save"` or `the second "Delete"` in the command language; plain words are text and description. */
export function targetOf(arg: string): Target {
  const words = arg.trim();
  if (!words) throw new UserInputError('the target is empty: give the text or a description, e.g. "Save" or "the close button"');
  let target: Target;
  try {
    const step = parseCommands(`hover ${words}`, 'target')[0]?.step;
    target = step?.kind === 'hover' ? step.target : { description: words };
  } catch {
    return { text: words, description: words };
  }
  // Unquoted words may be the visible text as well as a description: let both kinds of rung try.
  if (target.description !== undefined && target.text === undefined) {
    const text = target.description.replace(new RegExp(`\\s+${target.role ?? '\\0'}$`), '');
    target = { ...target, text };
  }
  return target;
}

export function registerLocate(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('locate')
    .description('show where a target is on the current screen (or in an image), and write an annotated PNG')
    .argument('<target>', 'text on screen ("Save"), a description ("the gear icon"), or command syntax (the second "Delete")')
    .option('--image <file.png>', 'look in this screenshot instead of the screen')
    .option('--grounder <name>', 'use one grounder instead of the cascade: text, icon, template, vlm, vlm-local')
    .option('--out <file.png>', 'where to write the annotated image (default: locate.png)')
    .action(async (arg: string, flags: LocateFlags, cmd: Command) => {
      setExit(
        await withApp(cmd, io, async (app, out) => {
          const target = targetOf(arg);
          const g = setupGrounding(app.config, app.logger);
          try {
            const frame = flags.image ? await imageFrame(flags.image) : await screenFrame(app.display);
            const grounder: Grounder | undefined = flags.grounder ? g.byName[flags.grounder] : g.grounder;
            if (!grounder) throw new UserInputError(`--grounder ${flags.grounder}: unknown; choose one of ${Object.keys(g.byName).join(', ')}`);
            const started = performance.now();
            const loc = await grounder.locate({ frame, displays: [] }, target);
            const ms = Math.round(performance.now() - started);
            const file = path.resolve(flags.out ?? 'locate.png');
            const p = desktopToScreen({ space: 'desktop', ...loc.point }, frame);
            const boxes = loc.box ? [{ ...screenBox(loc.box, frame), label: `${loc.source} ${Math.round(loc.confidence * 100)}%` }] : [];
            await writeFile(file, await annotate(frame, { points: [{ x: p.x, y: p.y }], boxes }));
            out.line(`${arg}: (${Math.round(loc.point.x)}, ${Math.round(loc.point.y)}) by ${loc.source}, ${Math.round(loc.confidence * 100)}% sure, ${ms} ms`);
            for (const a of loc.alternatives.slice(0, 3)) out.line(`  also: (${Math.round(a.point.x)}, ${Math.round(a.point.y)}) ${Math.round(a.confidence * 100)}%`);
            out.line(`annotated: ${file}`);
            out.document({ ok: true, target, location: loc, ms, annotated: file });
            return 0;
          } finally {
            await g.ocr.dispose();
          }
        }),
      );
    });
}

function screenBox(b: { x: number; y: number; width: number; height: number }, frame: Frame) {
  const a = desktopToScreen({ space: 'desktop', x: b.x, y: b.y }, frame);
  const c = desktopToScreen({ space: 'desktop', x: b.x + b.width, y: b.y + b.height }, frame);
  return { x: a.x, y: a.y, width: c.x - a.x, height: c.y - a.y };
}

async function imageFrame(file: string): Promise<Frame> {
  const bytes = await readFile(file).catch((err: NodeJS.ErrnoException) => {
    throw new UserInputError(`--image ${file}: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
  });
  const img = await decodeImage(bytes).catch(() => {
    throw new UserInputError(`--image ${file}: not a PNG or JPEG image`);
  });
  return { displayId: 'image', width: img.width, height: img.height, data: img.data, scaleFactor: 1, desktopBounds: { x: 0, y: 0, width: img.width, height: img.height }, capturedAt: Date.now() };
}

async function screenFrame(display: string | undefined): Promise<Frame> {
  const screen = await createScreenSource(display ? { display } : {});
  try {
    return await screen.capture();
  } finally {
    await screen.dispose();
  }
}
