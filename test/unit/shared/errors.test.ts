import { describe, expect, it } from 'vitest';
import {
  Aborted,
  AppError,
  ConfigError,
  GroundingError,
  fromSerialized,
  serializeError,
  throwIfAborted,
} from '../../../src/shared/errors.js';

describe('AppError hierarchy', () => {
  it('names each error after its class and keeps code and cause', () => {
    const cause = new Error('disk');
    const e = new GroundingError('no "Save" on screen', 'GROUNDING_NOT_FOUND', { cause });
    expect(e).toBeInstanceOf(AppError);
    expect(e.name).toBe('GroundingError');
    expect(e.code).toBe('GROUNDING_NOT_FOUND');
    expect(e.cause).toBe(cause);
  });

  it('puts file:line:col in front of a user input error', () => {
    const e = new ConfigError('models.planner.baseURL: Invalid URL', { file: 'c.yaml', line: 7, column: 14 });
    expect(e.message).toBe('c.yaml:7:14: models.planner.baseURL: Invalid URL');
    expect(e.line).toBe(7);
  });

  it('crosses a process boundary as {name, code, message} and comes back as the same class', () => {
    const wire = JSON.parse(JSON.stringify(serializeError(new Aborted('failsafe')))) as ReturnType<typeof serializeError>;
    expect(wire).toEqual({ name: 'Aborted', code: 'ABORTED', message: 'failsafe' });
    const back = fromSerialized(wire);
    expect(back).toBeInstanceOf(Aborted);
    expect(back.message).toBe('failsafe');
    expect(serializeError(new TypeError('x'))).toEqual({ name: 'TypeError', code: 'INTERNAL', message: 'x' });
  });

  it('throwIfAborted raises Aborted carrying the reason', () => {
    const c = new AbortController();
    expect(() => throwIfAborted(c.signal)).not.toThrow();
    c.abort(new Error('user pressed stop'));
    expect(() => throwIfAborted(c.signal)).toThrow(Aborted);
    expect(() => throwIfAborted(c.signal)).toThrow('user pressed stop');
  });
});
