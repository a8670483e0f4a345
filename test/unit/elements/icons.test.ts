import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ICON_NAMES,
  IconGrounder,
  iconNamed,
  labelIcons,
  loadExemplars,
} from '../../../src/grounding/icon/index.js';
import { perceptionList, proposeElements } from '../../../src/perception/elements/index.js';
import { GroundingError } from '../../../src/shared/errors.js';
import { boxContains, type Box } from '../../../src/shared/geometry.js';
import type { Frame, Observation } from '../../../src/shared/ports.js';
import type { Target } from '../../../src/shared/target.js';
import { dialogScreen, type Screen } from './screens.js';

const observe = (s: Screen): Observation => ({
  frame: s.frame,
  displays: [],
  elements: proposeElements(s.frame, { ocr: s.ocr }),
});

async function errorOf(p: Promise<unknown>): Promise<GroundingError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(GroundingError);
  return e as GroundingError;
}

/** The same screen in a dark theme: every pixel inverted (light glyphs on dark, and the reverse). */
async function inverted(frame: Frame): Promise<Frame> {
  const { data } = await sharp(frame.data, { raw: { width: frame.width, height: frame.height, channels: 4 } })
    .negate({ alpha: false })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { ...frame, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

describe('the icon vocabulary and the icon grounder', () => {
  let screen: Screen;
  let grounder: IconGrounder;

  beforeAll(async () => {
    screen = await dialogScreen();
    grounder = new IconGrounder();
  });

  it('maps the words people use to vocabulary icons', () => {
    expect(iconNamed('the X button')).toBe('close');
    expect(iconNamed('Dismiss')).toBe('close');
    expect(iconNamed('minimise the window')).toBe('minimize');
    expect(iconNamed('the gear icon')).toBe('settings');
    expect(iconNamed('Preferences')).toBe('settings');
    expect(iconNamed('hamburger')).toBe('menu');
    expect(iconNamed('new item')).toBe('add');
    expect(iconNamed('the bin')).toBe('delete');
    expect(iconNamed('magnifier')).toBe('search');
    expect(iconNamed('expand caret')).toBe('dropdown');
    expect(iconNamed('check box')).toBe('checkbox');
    expect(iconNamed('the close button of the settings dialog')).toBe('close');
    expect(iconNamed('Project kickoff')).toBeUndefined();
  });

  it('renders exemplars for every vocabulary icon from its SVGs', async () => {
    const ex = await loadExemplars();
    const names = new Set(ex.map((e) => e.name));
    // Every icon, plus the digits and letters that compete with them as 'text'.
    for (const name of ICON_NAMES) expect(names.has(name), name).toBe(true);
    expect(names.has('text')).toBe(true);
    expect(ex.length).toBeGreaterThan(200);
  });

  const cases: Array<[string, Target]> = [
    ['close', { description: 'close button' }],
    ['minimize', { description: 'minimise the window' }],
    ['maximize', { description: 'the maximize button' }],
    ['settings', { description: 'the gear icon' }],
    ['back', { description: 'back arrow' }],
    ['forward', { description: 'forward' }],
    ['search', { role: 'icon', text: 'search' }],
    ['menu', { description: 'hamburger menu' }],
    ['delete', { description: 'the trash can' }],
    ['add', { role: 'icon', text: 'plus' }],
    ['dropdown', { description: 'the dropdown caret' }],
  ];
  it.each(cases)('finds the %s icon where it was drawn', async (name, target) => {
    const truth = screen.truth.find((t) => t.icon === name)!;
    const loc = await grounder.locate(observe(screen), target);
    expect(loc.source).toBe('icon');
    expect(loc.text).toBe(name);
    expect(boxContains(grow(truth.box, 3), loc.point), `${name} at ${JSON.stringify(loc.point)}`).toBe(true);
    expect(loc.confidence).toBeGreaterThanOrEqual(0.8);
  });

  it('finds the icons in a dark theme too (light glyphs on dark)', async () => {
    const dark: Screen = { ...screen, frame: await inverted(screen.frame) };
    for (const [name, target] of cases) {
      const truth = screen.truth.find((t) => t.icon === name)!;
      const loc = await grounder.locate(observe(dark), target);
      expect(boxContains(grow(truth.box, 3), loc.point), name).toBe(true);
    }
  });

  it('proposes elements itself when the observation has none', async () => {
    const loc = await new IconGrounder().locate(
      { frame: screen.frame, displays: [] },
      { description: 'close' },
    );
    expect(boxContains(grow(screen.truth.find((t) => t.icon === 'close')!.box, 3), loc.point)).toBe(true);
  });

  it('says ambiguous for two equally good checkboxes, and takes an ordinal', async () => {
    const e = await errorOf(grounder.locate(observe(screen), { description: 'checkbox' }));
    expect(e.code).toBe('GROUNDING_AMBIGUOUS');
    expect(e.message).toMatch(/2 equally good matches/);
    const second = await grounder.locate(observe(screen), { description: 'checkbox', ordinal: 2 });
    expect(boxContains({ x: 60, y: 320, width: 16, height: 16 }, second.point)).toBe(true);
    const third = await errorOf(grounder.locate(observe(screen), { description: 'checkbox', ordinal: 3 }));
    expect(third.code).toBe('GROUNDING_NOT_FOUND');
  });

  it('honours a region, and says not found when the icon is not in it', async () => {
    const form: Box = { x: 40, y: 110, width: 720, height: 440 };
    const cb = await grounder.locate(observe(screen), {
      description: 'checkbox',
      region: { x: 40, y: 280, width: 200, height: 30 },
    });
    expect(boxContains({ x: 60, y: 290, width: 16, height: 16 }, cb.point)).toBe(true);
    const e = await errorOf(grounder.locate(observe(screen), { description: 'close button', region: form }));
    expect(e.code).toBe('GROUNDING_NOT_FOUND');
    expect(e.message).toMatch(/no close icon/);
  });

  it('says when a target names no icon it knows', async () => {
    const e = await errorOf(grounder.locate(observe(screen), { description: 'the Project kickoff button' }));
    expect(e.code).toBe('GROUNDING');
    expect(e.message).toMatch(/knows: close, minimize/);
  });

  it('labels recognised icons in the perception list', async () => {
    const labelled = await labelIcons(screen.frame, observe(screen).elements!);
    const list = perceptionList(labelled);
    for (const name of [
      'close',
      'settings',
      'back',
      'forward',
      'search',
      'menu',
      'delete',
      'add',
      'dropdown',
    ]) {
      expect(list).toMatch(new RegExp(`^e\\d+ \\[\\d+, \\d+\\]; icon: ${name}$`, 'm'));
    }
    expect(labelled.filter((e) => e.kind === 'checkbox')).toHaveLength(2);
  });
});

function grow(b: Box, p: number): Box {
  return { x: b.x - p, y: b.y - p, width: b.width + 2 * p, height: b.height + 2 * p };
}
