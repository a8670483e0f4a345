import type { Point } from '../shared/geometry.js';
import type { InputDriver } from '../shared/ports.js';
import type { Step } from '../shared/steps.js';

/** Sends the input events of a step whose targets are resolved to desktop points. */
export async function executeInput(
  step: Step,
  points: Point[],
  input: InputDriver,
  typeText: (text: string) => Promise<string>,
  signal: AbortSignal,
  /** After the click on a field to type into: resolves once the field shows it has the focus. */
  fieldFocused: () => Promise<void> = () => Promise.resolve(),
): Promise<void> {
  const at = (i: number): Point => {
    const p = points[i];
    if (!p) throw new Error(`step ${step.kind} has no resolved point ${i}`);
    return p;
  };
  switch (step.kind) {
    case 'click':
      return input.click(at(0), { button: step.button, count: step.count as 1 | 2 | 3, modifiers: step.modifiers ?? [] }, signal);
    case 'double_click':
      return input.click(at(0), { button: 'left', count: 2, modifiers: step.modifiers ?? [] }, signal);
    case 'right_click':
      return input.click(at(0), { button: 'right', count: 1, modifiers: step.modifiers ?? [] }, signal);
    case 'hover':
      return input.move(at(0), signal);
    case 'drag':
      return input.drag(at(0), at(1), { modifiers: step.modifiers ?? [] }, signal);
    case 'scroll':
      return input.scroll(step.direction, step.amount, points[0], signal);
    case 'type': {
      if (step.target) {
        await input.click(at(0), { button: 'left', count: 1, focus: true }, signal);
        await fieldFocused();
      }
      if (step.clear) {
        await input.key('ctrl+a', 1, signal);
        await input.key('backspace', 1, signal);
      }
      return input.type(await typeText(step.text), signal);
    }
    case 'key':
      return input.key(step.keys, step.repeat, signal);
    default:
      return;
  }
}
