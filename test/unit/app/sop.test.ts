import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sopFor } from '../../../src/app/sop.js';

const dataDir = mkdtempSync(path.join(tmpdir(), 'deskpilot-sop-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('a macro as standard operating procedure for a chat task', () => {
  it('gives the planner the steps of the macro the task names', () => {
    mkdirSync(path.join(dataDir, 'macros'));
    writeFileSync(
      path.join(dataDir, 'macros', 'Submit expense.yaml'),
      'name: Submit expense\ndescription: File one expense\nsteps:\n  - click "New expense"\n  - type "12" into "Amount"\n  - click "Submit"\n',
    );
    const sop = sopFor("file my taxi ride, use the macro 'Submit expense'", undefined, dataDir);
    expect(sop).toMatch(/^Macro "Submit expense" — File one expense:\nsteps:\n {2}- click "New expense"/);
    expect(sopFor('file my taxi ride', undefined, dataDir)).toBeUndefined();
    expect(() => sopFor('use the macro "Nope"', undefined, dataDir)).toThrow(/no macro "Nope".*known: Submit expense/);
  });
});
