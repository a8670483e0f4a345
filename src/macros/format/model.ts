import type { Step } from '../../shared/steps.js';
import type { Target } from '../../shared/target.js';
import type { Anchors, Expect, MacroFile, OnError } from './schema.js';

/** A place in the macro file, for errors and heal diffs. */
export interface Where {
  line: number;
  column: number;
}

/** The YAML path of a step item ("steps", 2, "then", 0): where a heal writes its repair. */
export type StepPath = (string | number)[];

export interface MacroAction {
  type: 'action';
  step: Step;
  /** The command line it came from, when written as one. */
  command?: string;
  irreversible: boolean;
  onError: OnError;
  anchors?: Anchors;
  expect?: Expect;
  path: StepPath;
  where: Where;
}

export interface MacroIf {
  type: 'if';
  visible: boolean;
  target: Target;
  then: MacroNode[];
  else: MacroNode[];
  path: StepPath;
  where: Where;
}

export interface MacroRepeat {
  type: 'repeat';
  forEachRow?: string;
  times?: number;
  steps: MacroNode[];
  path: StepPath;
  where: Where;
}

export type MacroNode = MacroAction | MacroIf | MacroRepeat;

/** A validated macro: the file's fields as written, plus the steps compiled for replay. */
export interface Macro extends MacroFile {
  /** The file it was read from (or the label given to `parseMacro`). */
  file: string;
  program: MacroNode[];
}
