import { describe, expect, it } from 'vitest';
import { dispatch } from '../../../src/host/dispatch.js';
import { fakeService } from './fake-service.js';

/** Every input crosses the contract through zod; the caller always gets {ok, value|error}. */
describe('IPC dispatch', () => {
  it('runs a known channel with its parsed input', async () => {
    const s = fakeService();
    const r = await dispatch(s.handlers, 'run.start', { text: '  click "Save"  ' });
    expect(r).toEqual({ ok: true, value: { runId: 'run-1' } });
    // zod trimmed the text before the handler saw it
    expect(s.started).toEqual(['click "Save"']);
  });

  it('refuses an unknown channel and names the known ones', async () => {
    const r = await dispatch(fakeService().handlers, 'run.delete_everything', {});
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('IPC_UNKNOWN_CHANNEL');
    expect(r.error.message).toMatch(/unknown IPC channel "run.delete_everything".*run\.start/);
  });

  it('refuses a bad input, naming the field, without calling the handler', async () => {
    const s = fakeService();
    const empty = await dispatch(s.handlers, 'run.start', { text: '   ' });
    expect(empty).toMatchObject({ ok: false, error: { code: 'IPC_BAD_INPUT', message: expect.stringMatching(/run\.start: bad input \(text: type a command or a goal first\)/) as unknown } });
    const extra = await dispatch(s.handlers, 'run.start', { text: 'click "OK"', sudo: true });
    expect(extra).toMatchObject({ ok: false, error: { code: 'IPC_BAD_INPUT' } });
    const answer = await dispatch(s.handlers, 'confirm.answer', { requestId: 'r1', answer: 'yes please' });
    expect(answer).toMatchObject({ ok: false, error: { message: expect.stringMatching(/answer:/) as unknown } });
    const key = await dispatch(s.handlers, 'settings.set', { key: 'models.planner.baseURL', value: 'http://evil' });
    expect(key).toMatchObject({ ok: false, error: { code: 'IPC_BAD_INPUT' } });
    expect(s.started).toEqual([]);
  });

  it('turns a handler error into {ok:false, error:{name, code, message}}', async () => {
    const r = await dispatch(fakeService().handlers, 'runs.get', { id: 'nope' });
    expect(r).toEqual({ ok: false, error: { name: 'AppError', code: 'RUN_NOT_FOUND', message: 'no run with id nope' } });
    const crash = await dispatch(fakeService({ 'runs.list': () => Promise.reject(new TypeError('boom')) }).handlers, 'runs.list', {});
    expect(crash).toEqual({ ok: false, error: { name: 'TypeError', code: 'INTERNAL', message: 'boom' } });
  });
});
