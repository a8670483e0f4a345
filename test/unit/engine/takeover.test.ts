import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Failsafe, GuardedInputDriver } from '../../../src/actions/index.js';
import { Policy } from '../../../src/actions/policy/policy.js';
import { RunControl } from '../../../src/engine/control.js';
import { Engine } from '../../../src/engine/engine.js';
import type { EngineEvent } from '../../../src/engine/events.js';
import { ListStepSource } from '../../../src/engine/sources.js';
import { TextGrounder } from '../../../src/grounding/text.js';
import { parseCommands } from '../../../src/planner/commands/parse.js';
import { nullLogger } from '../../../src/shared/logger.js';
import type { Store } from '../../../src/shared/ports.js';
import { openStore } from '../../../src/storage/index.js';
import { FixtureScreenSource } from '../../fakes/fixture-screen.js';
import { RecordingInputDriver } from '../../fakes/recording-input.js';

const cleanup: Array<() => void> = [];
afterEach(() => cleanup.splice(0).forEach((f) => f()));

function store(): Store {
  const dir = mkdtempSync(join(tmpdir(), 'deskpilot-takeover-'));
  const s = openStore({ dataDir: dir });
  cleanup.push(() => (s.close(), rmSync(dir, { recursive: true, force: true })));
  return s;
}

/** The kill switch wired as the app wires it: a takeover pauses, resuming re-runs the step. */
async function harness() {
  const control = new RunControl();
  const hands = new RecordingInputDriver({ eventDelayMs: 2 });
  const ref: { guarded?: GuardedInputDriver } = {};
  const failsafe = new Failsafe({
    probe: hands,
    intervalMs: 5,
    onTakeover: (m) => {
      ref.guarded?.holdForPerson(m);
      control.pause(m);
    },
  });
  ref.guarded = new GuardedInputDriver(hands, { controller: control.controller, failsafe });
  control.onChange((paused) => {
    if (!paused) {
      ref.guarded?.resume();
      void failsafe.start(control.controller);
    }
  });
  await failsafe.start(control.controller);
  cleanup.push(() => failsafe.stop());
  const events: EngineEvent[] = [];
  const engine = new Engine({
    screen: FixtureScreenSource.solid(320, 200),
    input: ref.guarded,
    grounder: new TextGrounder(() => Promise.resolve({ lines: [] })),
    store: store(),
    policy: Policy.load(),
    confirmer: { confirm: () => Promise.resolve('deny') },
    logger: nullLogger,
    config: { engine: { maxSteps: 10, stepTimeoutMs: 20_000, runTimeoutMs: 60_000 }, safety: { confirmTimeoutMs: 1000, allowApps: [] } },
    listener: (e) => events.push(e),
  });
  return { control, hands, failsafe, engine, events };
}

const until = async (cond: () => boolean) => {
  while (!cond()) await new Promise((r) => setTimeout(r, 5));
};

describe('taking over', () => {
  it('pauses the run when the person moves the mouse, sends nothing more, and re-runs the step on resume', async () => {
    const { control, hands, engine, events } = await harness();
    const text = 'x'.repeat(400);
    const running = engine.run({ source: new ListStepSource(parseCommands(`type "${text}"; press enter`).map((c) => c.step)), title: 't', kind: 'command', control });
    await until(() => hands.eventTimes.length > 20);
    hands.userMoves({ x: 200, y: 150 });
    await until(() => events.some((e) => e.type === 'run_paused'));
    const sentAtPause = hands.eventTimes.length;
    await new Promise((r) => setTimeout(r, 100));
    expect(hands.eventTimes.length).toBe(sentAtPause); // paused means no input at all
    control.resume();
    const result = await running;
    expect(result.status).toBe('succeeded');
    expect(result.steps.map((s) => [s.step.kind, s.outcome, s.error?.code ?? null])).toEqual([
      ['type', 'skipped', 'TAKEN_OVER'],
      ['type', 'succeeded', null],
      ['key', 'succeeded', null],
    ]);
    expect(hands.calls.filter((c) => c.op === 'type').at(-1)).toMatchObject({ text });
  });

  it('treats a key typed while the agent is idle as a takeover, and its own keys as not', async () => {
    let tookOver = '';
    const hands = new RecordingInputDriver();
    const controller = new AbortController();
    const failsafe = new Failsafe({ probe: hands, keyEchoMs: 50, onTakeover: (m) => (tookOver = m) });
    await failsafe.start(controller);
    failsafe.keysBusy();
    failsafe.noteKey(); // the hook sees the agent's own key
    failsafe.keysDone();
    failsafe.noteKey(); // ...and its echo right after
    expect(tookOver).toBe('');
    await new Promise((r) => setTimeout(r, 80));
    failsafe.noteKey(); // a person, later
    expect(tookOver).toMatch(/the person typed/);
    expect(controller.signal.aborted).toBe(false);
    failsafe.stop();
  });

  it("an echo of the agent's keys delivered late, because the loop was busy (an OCR read), is still the agent's", async () => {
    let tookOver = '';
    const failsafe = new Failsafe({ probe: new RecordingInputDriver(), keyEchoMs: 50, onTakeover: (m) => (tookOver = m) });
    await failsafe.start(new AbortController());
    await new Promise((r) => setTimeout(r, 30));
    failsafe.keysBusy();
    failsafe.keysDone();
    // The hook's echo is queued behind 300 ms of synchronous work.
    setImmediate(() => failsafe.noteKey());
    const until = performance.now() + 300;
    while (performance.now() < until) {
      /* the loop is held, as by a long synchronous read */
    }
    await new Promise((r) => setTimeout(r, 20));
    expect(tookOver).toBe('');
    // With the loop free, a key long after the agent's is a person's.
    await new Promise((r) => setTimeout(r, 120));
    failsafe.noteKey();
    expect(tookOver).toMatch(/the person typed/);
    failsafe.stop();
  });
});
