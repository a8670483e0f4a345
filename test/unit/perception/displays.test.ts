import { describe, expect, it } from 'vitest';
import { parseListMonitors, parseXrandrQuery, pickArea } from '../../../src/perception/index.js';
import { CaptureError } from '../../../src/shared/errors.js';

// Real outputs: a laptop with an external screen, and the test bed's two-monitor Xvfb.
const LAPTOP = `Monitors: 2
 0: +*eDP-1 1920/344x1080/194+0+0  eDP-1
 1: +HDMI-1 2560/597x1440/336+1920+0  HDMI-1
`;
const XVFB = `Monitors: 2
 0: left 1280/339x800/212+0+0  screen
 1: right 1280/339x800/212+1280+0
`;
const QUERY = `Screen 0: minimum 320 x 200, current 5760 x 1080, maximum 8192 x 8192
eDP-1 connected (normal left inverted right x axis y axis)
   2560x1440     60.00 +
HDMI-1 connected primary 1920x1080+0+0 (normal left inverted right x axis y axis) 476mm x 268mm
   1920x1080     60.00*+
DP-2-1 connected 1920x1080+3840+0 (normal left inverted right x axis y axis) 476mm x 268mm
`;

describe('display enumeration from xrandr', () => {
  it('reads every monitor with its place in the virtual desktop and the primary', () => {
    const d = parseListMonitors(LAPTOP);
    expect(d.map((x) => [x.id, x.bounds, x.primary])).toEqual([
      ['eDP-1', { x: 0, y: 0, width: 1920, height: 1080 }, true],
      ['HDMI-1', { x: 1920, y: 0, width: 2560, height: 1440 }, false],
    ]);
  });

  it('marks the monitor at the origin primary when none is', () => {
    const d = parseListMonitors(XVFB);
    expect(d.map((x) => x.id)).toEqual(['left', 'right']);
    expect(d[0]!.primary).toBe(true);
    expect(d[1]!.bounds.x).toBe(1280);
  });

  it('falls back to --query outputs, skipping connected outputs without a mode', () => {
    const d = parseXrandrQuery(QUERY);
    expect(d.map((x) => [x.id, x.bounds.x, x.primary])).toEqual([
      ['HDMI-1', 0, true],
      ['DP-2-1', 3840, false],
    ]);
  });

  it('captures a region on the monitor holding its corner, clipped to it', () => {
    const displays = parseListMonitors(XVFB);
    const { display, area } = pickArea(displays, { region: { x: 1200, y: 10, width: 200, height: 50 } });
    expect(display.id).toBe('left');
    expect(area).toEqual({ x: 1200, y: 10, width: 80, height: 50 });
    expect(pickArea(displays, { region: { x: 1300, y: 10, width: 20, height: 20 } }).display.id).toBe('right');
    expect(() => pickArea(displays, { displayId: 'nope' })).toThrow(CaptureError);
    expect(() => pickArea(displays, { displayId: 'left', region: { x: 2000, y: 0, width: 5, height: 5 } })).toThrow(/does not overlap/);
  });
});
