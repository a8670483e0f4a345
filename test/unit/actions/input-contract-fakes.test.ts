import { DryRunInputDriver } from '../../../src/actions/index.js';
import { RecordingInputDriver } from '../../fakes/recording-input.js';
import { inputContract, observedFromCalls, type ContractSubject } from '../../desktop/input-contract.js';

/** The same contract the real driver passes on the virtual desktop, for the two drivers that send nothing. */

const area = { x: 100, y: 100, width: 800, height: 500 };

inputContract('dry run', () => {
  let d = new DryRunInputDriver();
  const subject: ContractSubject = {
    get driver() { return d; },
    area,
    focusText: () => Promise.resolve(),
    focusKeys: () => Promise.resolve(),
    reset: () => { d = new DryRunInputDriver(); return Promise.resolve(); },
    observed: () => Promise.resolve(observedFromCalls(d.calls)),
    takesTime: false,
    clickGapMs: 0,
    close: () => d.dispose(),
  };
  return Promise.resolve(subject);
});

inputContract('recording fake', () => {
  let d = new RecordingInputDriver({ eventDelayMs: 1 });
  const subject: ContractSubject = {
    get driver() { return d; },
    area,
    focusText: () => Promise.resolve(),
    focusKeys: () => Promise.resolve(),
    reset: () => { d = new RecordingInputDriver({ eventDelayMs: 1 }); return Promise.resolve(); },
    observed: () => Promise.resolve(observedFromCalls(d.calls)),
    takesTime: true,
    clickGapMs: 0,
    get clock() { return d; },
    close: () => d.dispose(),
  };
  return Promise.resolve(subject);
});
