import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NewStep } from '../../../src/shared/ports.js';

/** A fresh temp directory per test, removed afterwards by `cleanup`. */
export function tempDirs(): { make(): string; cleanup(): void } {
  const made: string[] = [];
  return {
    make() {
      const dir = mkdtempSync(join(tmpdir(), 'deskpilot-storage-'));
      made.push(dir);
      return dir;
    },
    cleanup() {
      for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
    },
  };
}

export function clickStep(runId: string, index: number, text = `Button ${index}`): NewStep {
  return {
    runId,
    index,
    step: { kind: 'click', target: { text }, button: 'left', count: 1 },
    thought: `press ${text}`,
  };
}
