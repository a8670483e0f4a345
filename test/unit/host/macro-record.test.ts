import { describe, expect, it } from 'vitest';
import { dropStopClick, STOP_CLICK_MS } from '../../../src/host/macro-record.js';
import type { InputEvent } from '../../../src/macros/record/index.js';

describe('dropStopClick', () => {
  const work: InputEvent[] = [
    { type: 'down', t: 1000, x: 10, y: 10, button: 'left' },
    { type: 'up', t: 1080, x: 10, y: 10, button: 'left' },
    { type: 'keydown', t: 1500, keycode: 30, shift: false },
    { type: 'keyup', t: 1550, keycode: 30, shift: false },
  ];
  const stopClick: InputEvent[] = [
    { type: 'move', t: 3000, x: 900, y: 300 },
    { type: 'down', t: 3100, x: 900, y: 300, button: 'left' },
    { type: 'up', t: 3160, x: 900, y: 300, button: 'left' },
    { type: 'move', t: 3170, x: 901, y: 300 },
  ];

  it('drops the press on Stop that came just before the stop request', () => {
    expect(dropStopClick([...work, ...stopClick], 3250)).toEqual([...work, stopClick[0]]);
  });

  it('keeps a last press that came earlier, or that was followed by other input', () => {
    expect(dropStopClick([...work, ...stopClick], 3100 + STOP_CLICK_MS + 1)).toHaveLength(work.length + stopClick.length);
    expect(dropStopClick(work, 1600)).toEqual(work);
    expect(dropStopClick([], 10)).toEqual([]);
  });
});
