import { describe, expect, it } from 'vitest';
import { Aborted } from '../../../src/shared/errors.js';
import { Failsafe, GuardedInputDriver, outerCorners } from '../../../src/actions/index.js';
import { RecordingInputDriver } from '../../fakes/recording-input.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function guardedRun(eventDelayMs = 2) {
  const fake = new RecordingInputDriver({ eventDelayMs });
  const controller = new AbortController();
  const failsafe = new Failsafe({ probe: fake, intervalMs: 20 });
  const driver = new GuardedInputDriver(fake, { controller, failsafe });
  await driver.move({ x: 400, y: 300 });
  await failsafe.start(controller);
  return { fake, controller, failsafe, driver };
}

describe('kill switch', () => {
  it('finds only outer corners of side-by-side monitors (the pointer can pass the inner ones)', () => {
    const corners = outerCorners([
      { x: 0, y: 0, width: 1280, height: 800 },
      { x: 1280, y: 0, width: 1280, height: 600 },
    ]);
    expect(corners).toEqual([
      { x: 0, y: 0 }, { x: 0, y: 799 }, { x: 1279, y: 799 },
      { x: 2559, y: 0 }, { x: 2559, y: 599 },
    ]);
  });

  it('the pointer in a corner aborts a long type; no event follows 100 ms after', async () => {
    const { fake, failsafe, driver } = await guardedRun();
    const typing = driver.type('x'.repeat(5000));
    await sleep(50);
    fake.userMoves({ x: 1279, y: 1 });
    const trigger = performance.now();
    await expect(typing).rejects.toThrow('failsafe: pointer in a screen corner');
    expect(failsafe.triggered?.reason).toBe('corner');
    expect(fake.lastEventAt()! - trigger).toBeLessThanOrEqual(100);
    const typed = fake.calls.find((c) => c.op === 'type');
    expect(typed && typed.op === 'type' && typed.text.length).toBeLessThan(5000);
    // The run is over: the next step is refused before it sends anything.
    const before = fake.eventTimes.length;
    await expect(driver.click({ x: 10, y: 10 })).rejects.toBeInstanceOf(Aborted);
    expect(fake.eventTimes.length).toBe(before);
  });

  it('a person moving the mouse is a takeover, but the agent moving it is not', async () => {
    const { fake, controller, failsafe, driver } = await guardedRun();
    await driver.click({ x: 600, y: 500 });
    await driver.drag({ x: 600, y: 500 }, { x: 700, y: 520 });
    await sleep(80);
    expect(controller.signal.aborted).toBe(false);
    const typing = driver.type('y'.repeat(5000));
    await sleep(30);
    fake.userMoves({ x: 720, y: 540 });
    await expect(typing).rejects.toThrow(/^user took over/);
    expect(failsafe.triggered?.reason).toBe('takeover');
  });

  it('a small wobble within a few pixels is not a takeover', async () => {
    const { fake, controller, failsafe } = await guardedRun();
    fake.userMoves({ x: 402, y: 301 });
    await failsafe.poll();
    expect(controller.signal.aborted).toBe(false);
    failsafe.stop();
  });

  it('the caller signal and the run signal both stop a call', async () => {
    const { driver, controller } = await guardedRun();
    const own = new AbortController();
    own.abort(new Aborted('step timeout'));
    await expect(driver.key('enter', 1, own.signal)).rejects.toThrow('step timeout');
    controller.abort(new Aborted('stop button'));
    await expect(driver.key('enter')).rejects.toThrow('stop button');
  });
});
