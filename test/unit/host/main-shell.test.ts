import { describe, expect, it } from 'vitest';
import { attentionFor, controlRun } from '../../../src/main/logic.js';
import { IDLE, nextRunState, trayMenu, trayTooltip, widgetView, type RunState } from '../../../src/main/run-state.js';
import { widgetBounds, widgetHtml, WIDGET_SIZE } from '../../../src/main/widget.js';
import type { IpcEventName, IpcEvents } from '../../../src/shared/ipc.js';
import { Step } from '../../../src/shared/steps.js';
import { fakeService } from './fake-service.js';

/** The tray, the status widget and the confirmation prompt: their decisions, without Electron. */
const step = Step.parse({ kind: 'click', target: { text: 'Save' } });
type Ev = { [E in IpcEventName]: [E, IpcEvents[E]] }[IpcEventName];
const fold = (events: Ev[], from: RunState = IDLE) => events.reduce<RunState>((s, [e, p]) => nextRunState(s, e, p as never), from);
const started: Ev = ['engine', { type: 'run_started', runId: 'r1', title: 'click "Save"' }];
const stepOne: Ev = ['engine', { type: 'step_started', runId: 'r1', index: 0, step, description: 'click "Save"' }];

describe('the run state the tray and the widget show', () => {
  it('follows a run through its steps, a pause, a confirmation and its end', () => {
    let s = fold([started, stepOne]);
    expect(s).toEqual({ phase: 'running', runId: 'r1', title: 'click "Save"', step: 'Step 1: click "Save"' });
    s = fold([['engine', { type: 'run_paused', runId: 'r1', reason: 'you moved the mouse' }]], s);
    expect(s).toMatchObject({ phase: 'paused', reason: 'you moved the mouse' });
    s = fold([['engine', { type: 'run_resumed', runId: 'r1' }]], s);
    expect(s).toEqual({ phase: 'running', runId: 'r1', title: 'click "Save"', step: 'Step 1: click "Save"' });
    s = fold([['confirm.request', { requestId: 'q', runId: 'r1', step, description: 'click "Save"', reasons: ['sends'] }]], s);
    expect(s.phase).toBe('confirming');
    s = fold([['confirm.closed', { requestId: 'q', answer: 'allow_once' }]], s);
    expect(s.phase).toBe('running');
    // Another run's events (an older run reporting late) do not move this one.
    expect(fold([['engine', { type: 'run_finished', runId: 'old', status: 'succeeded', steps: 1 }]], s)).toBe(s);
    expect(fold([['engine', { type: 'run_finished', runId: 'r1', status: 'succeeded', steps: 1 }]], s)).toEqual(IDLE);
  });

  it('builds the tray menu from the state: Pause only while running, Resume only while paused, Stop while a run is live', () => {
    const enabled = (s: RunState) => Object.fromEntries(trayMenu(s).flatMap((i) => (i.type === 'normal' ? [[i.action, i.enabled]] : [])));
    const labels = (s: RunState) => trayMenu(s).map((i) => (i.type === 'normal' ? i.label : '—'));
    expect(labels(IDLE)).toEqual(['Show window', '—', 'Pause', 'Resume', 'Stop run', '—', 'Quit']);
    expect(enabled(IDLE)).toEqual({ show: true, pause: false, resume: false, stop: false, quit: true });
    const running = fold([started, stepOne]);
    expect(enabled(running)).toEqual({ show: true, pause: true, resume: false, stop: true, quit: true });
    expect(labels(running).at(-1)).toBe('Quit (stops the run)');
    const paused = fold([['engine', { type: 'run_paused', runId: 'r1', reason: 'paused from the app' }]], running);
    expect(enabled(paused)).toEqual({ show: true, pause: false, resume: true, stop: true, quit: true });
    expect(trayTooltip(IDLE)).toBe('DeskPilot: idle');
    expect(trayTooltip(running)).toBe('DeskPilot: running — Step 1: click "Save"');
    expect(trayTooltip(paused)).toBe('DeskPilot: paused — paused from the app');
  });

  it('shows the widget only during a run, with the step and the button that applies', () => {
    expect(widgetView(IDLE).visible).toBe(false);
    const running = fold([started, stepOne]);
    expect(widgetView(running)).toEqual({ visible: true, line: 'Step 1: click "Save"', status: 'Running', pause: 'Pause' });
    const confirming = fold([['confirm.request', { requestId: 'q', runId: 'r1', step, description: 'x', reasons: [] }]], running);
    expect(widgetView(confirming)).toMatchObject({ status: 'Waiting for your answer in DeskPilot', pause: null });
    const long = fold([['engine', { type: 'step_started', runId: 'r1', index: 9, step, description: `type "${'x'.repeat(200)}"` }]], running);
    expect(widgetView(long).line.length).toBeLessThanOrEqual(70);
  });

  it('puts the widget in a corner of the work area, inside it on a small or offset screen', () => {
    expect(widgetBounds({ x: 0, y: 0, width: 1920, height: 1040 })).toEqual({ x: 1920 - 12 - WIDGET_SIZE.width, y: 1040 - 12 - WIDGET_SIZE.height, ...WIDGET_SIZE });
    expect(widgetBounds({ x: 1920, y: 30, width: 1280, height: 770 }, 'top-left')).toEqual({ x: 1932, y: 42, ...WIDGET_SIZE });
    const tiny = widgetBounds({ x: 0, y: 0, width: 300, height: 80 });
    expect(tiny).toEqual({ x: 12, y: 12, width: 276, height: 56 });
    expect(widgetHtml()).toMatch(/Content-Security-Policy.*default-src 'none'/);
  });
});

describe('run controls from the tray and the widget', () => {
  it('pause, resume and stop act on the active run, and say when they do not apply', async () => {
    const s = fakeService();
    const paused: string[] = [];
    s.handlers['run.pause'] = ({ runId }) => (paused.push(runId), Promise.resolve({}));
    expect(await controlRun(s, IDLE, 'stop', 'tray')).toBe('no run in progress');
    await s.handlers['run.start']({ text: 'click "OK"' });
    const running: RunState = { phase: 'running', runId: 'run-1', title: 'x' };
    expect(await controlRun(s, running, 'resume', 'tray')).toBe('the run is running, not paused');
    expect(await controlRun(s, running, 'pause', 'tray')).toBe('run paused');
    expect(paused).toEqual(['run-1']);
    expect(await controlRun(s, { ...running, phase: 'paused' }, 'resume', 'widget')).toBe('run resumed');
    expect(await controlRun(s, running, 'stop', 'widget')).toBe('run stopped');
    expect(s.stops).toEqual(['stopped from the widget']);
  });
});

describe('a confirmation while the window is not in front', () => {
  it('notifies when the window is hidden, minimised or behind; shows the window where there are no notifications', () => {
    const front = { visible: true, minimized: false, focused: true };
    expect(attentionFor(front, true)).toBe('none');
    expect(attentionFor({ ...front, minimized: true }, true)).toBe('notify');
    expect(attentionFor({ ...front, visible: false }, true)).toBe('notify');
    expect(attentionFor({ ...front, focused: false }, true)).toBe('notify');
    expect(attentionFor({ ...front, minimized: true }, false)).toBe('show');
    expect(attentionFor(undefined, false)).toBe('show');
  });
});
