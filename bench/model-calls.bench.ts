import { PlannerStepSource, type PlannerCalls } from '../src/planner/agent/planner.js';
import { OpenAiModelClient } from '../src/planner/model/client.js';
import type { Box } from '../src/shared/geometry.js';
import type { StepContext, UiElement } from '../src/shared/ports.js';
import type { StepRecord } from '../src/shared/records.js';
import { solidFrame } from '../test/fakes/fixture-screen.js';
import { startModelServer, type RecordedRequest } from '../test/fakes/model-server.js';
import type { Benchmark, Figure } from './harness.js';

/** One screen of a scripted task: what is on it, what to click, and what the click changes. */
interface Screen {
  labels: string[];
  click: string;
  /** Text the decision expects afterwards (omitted: the cheap check relies on where the screen changed). */
  expect?: string;
  /** The click opens something away from the target (a dialog): the cheap check cannot tell. */
  changesElsewhere?: boolean;
}

const TASKS: Screen[][] = [
  [
    { labels: ['File', 'Edit', 'View'], click: 'File', expect: 'Save As' },
    { labels: ['New', 'Open', 'Save As'], click: 'Save As', changesElsewhere: true },
    { labels: ['Name', 'Cancel', 'Save'], click: 'Save', expect: 'Saved' },
  ],
  [
    { labels: ['Inbox', 'Compose', 'Sent'], click: 'Compose', expect: 'To' },
    { labels: ['To', 'Subject', 'Body'], click: 'Subject' },
    { labels: ['To', 'Subject', 'Body', 'Attach'], click: 'Attach', changesElsewhere: true },
    { labels: ['report.pdf', 'Open'], click: 'report.pdf' },
    { labels: ['Open', 'Cancel'], click: 'Open', expect: 'report.pdf attached' },
  ],
  [
    { labels: ['Settings', 'Help'], click: 'Settings', expect: 'Display' },
    { labels: ['Display', 'Sound', 'Network'], click: 'Display' },
    { labels: ['Brightness', 'Night light'], click: 'Night light', expect: 'On' },
  ],
];

const box = (i: number): Box => ({ x: 100, y: 60 + i * 50, width: 120, height: 30 });
const elements = (labels: string[]): UiElement[] => labels.map((text, i) => ({ id: `e${i + 1}`, kind: 'text', text, confidence: 0.95, box: box(i) }));

/** Runs every task through a planner in the given mode against a scripted model; counts calls. */
async function runSuite(mode: 'deskpilot' | 'mobile-agent-v2'): Promise<{ calls: number; steps: number; completed: number; byAgent: PlannerCalls }> {
  let completed = 0;
  let steps = 0;
  const byAgent: PlannerCalls = { decision: 0, reflection: 0, manager: 0, memory: 0, planning: 0 };
  for (const task of TASKS) {
    let at = 0;
    let lastBox: Box | undefined;
    let changed: Box[] = [];
    const kind = (r: RecordedRequest) => JSON.stringify(r.body);
    const server = await startModelServer(
      Array.from({ length: 60 }, () => (r: RecordedRequest) => {
        const body = kind(r);
        if (body.includes('You plan desktop tasks')) return { content: '{"subtasks":["do it"]}' };
        if (body.includes('You check whether')) return { content: '{"verdict":"A","reason":"as expected"}' };
        if (body.includes('You keep notes')) return { content: '{"memory":"nothing special"}' };
        if (body.includes('You track progress')) return { content: `{"progress":"step ${at} done"}` };
        const screen = task[at];
        if (!screen) return { content: '{"thought":"finished","action":{"kind":"done"},"summary":"Finish"}' };
        const action = { kind: 'click', target: { elementId: `e${screen.labels.indexOf(screen.click) + 1}` } };
        return { content: JSON.stringify({ thought: `click ${screen.click}`, action, summary: `Click ${screen.click}`, ...(screen.expect ? { expect: screen.expect } : {}), progress: `clicked ${screen.click}` }) };
      }),
    );
    const planner = new PlannerStepSource('the scripted task', {
      model: new OpenAiModelClient({ endpoints: { planner: { baseURL: server.baseURL, model: 'scripted', timeoutMs: 5000, maxRetries: 0 } } }),
      perceive: () => Promise.resolve(elements(task[at]?.labels ?? [task[at - 1]?.expect ?? 'Done'])),
      encodeForModel: () => Promise.resolve({ base64: 'iVBORw0KGgo=', mime: 'image/png', width: 1288, height: 812 }),
      changes: () => changed,
      mode,
    });
    for (let guard = 0; guard < 20; guard++) {
      const history = lastBox ? [{ resolution: { point: { x: 0, y: 0 }, box: lastBox, confidence: 1, source: 'text' } } as StepRecord] : [];
      const ctx: StepContext = { runId: 'bench', observation: { frame: solidFrame(4, 4, [0, 0, 0]), displays: [] }, history };
      const proposed = await planner.next(ctx);
      if (!proposed || proposed.step.kind === 'done') {
        if (at === task.length) completed++;
        break;
      }
      steps++;
      const screen = task[at]!;
      lastBox = box(screen.labels.indexOf(screen.click));
      changed = [screen.changesElsewhere ? { x: 600, y: 300, width: 300, height: 200 } : lastBox];
      at++;
    }
    await server.close();
    for (const k of Object.keys(byAgent) as Array<keyof PlannerCalls>) byAgent[k] += planner.calls[k];
  }
  const calls = byAgent.decision + byAgent.reflection + byAgent.manager + byAgent.memory + byAgent.planning;
  return { calls, steps, completed, byAgent };
}

export const modelCallsBench: Benchmark = {
  name: 'model-calls',
  description: `model calls per step on a scripted suite (${TASKS.length} tasks): DeskPilot vs the Mobile-Agent-v2 configuration`,
  goal: '<= 2 model calls per step on average, the same tasks completed',
  async run() {
    const ours = await runSuite('deskpilot');
    const mav2 = await runSuite('mobile-agent-v2');
    const perStep = (r: { calls: number; steps: number }): number => r.calls / r.steps;
    const fig = (v: number, unit: string): Figure => ({ median: v, min: v, max: v, unit });
    return {
      figures: {
        'deskpilot calls/step': fig(perStep(ours), 'calls'),
        'mobile-agent-v2 calls/step': fig(perStep(mav2), 'calls'),
        'deskpilot tasks completed': fig(ours.completed, `of ${TASKS.length}`),
        'mobile-agent-v2 tasks completed': fig(mav2.completed, `of ${TASKS.length}`),
        'deskpilot reflection calls': fig(ours.byAgent.reflection, 'calls'),
      },
      ratio: perStep(mav2) / perStep(ours),
      ratioLabel: 'Mobile-Agent-v2 calls per step / DeskPilot calls per step',
      goalMet: perStep(ours) <= 2 && ours.completed === mav2.completed && ours.completed === TASKS.length,
    };
  },
};
