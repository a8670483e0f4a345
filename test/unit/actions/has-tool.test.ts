import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasTool } from '../../../src/actions/process.js';

// hasTool looks along PATH itself (no `sh -c "command -v ..."` spawned): it must find what the
// shell finds, and nothing the shell would not run.
const windows = process.platform === 'win32';

describe.skipIf(windows)(
  `hasTool${windows ? ' (skipped: Windows has no execute bit; PATHEXT decides what runs)' : ''}`,
  () => {
    let dir: string;
    let env: NodeJS.ProcessEnv;
    beforeAll(() => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'has-tool-'));
      for (const d of ['a', 'b']) mkdirSync(path.join(dir, d));
      writeFileSync(path.join(dir, 'b', 'runme'), '#!/bin/sh\n');
      chmodSync(path.join(dir, 'b', 'runme'), 0o755);
      writeFileSync(path.join(dir, 'a', 'notexec'), 'data');
      chmodSync(path.join(dir, 'a', 'notexec'), 0o644);
      mkdirSync(path.join(dir, 'a', 'adir'));
      env = {
        PATH: [path.join(dir, 'a'), path.join(dir, 'missing'), path.join(dir, 'b')].join(path.delimiter),
      };
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('finds an executable file in any folder of PATH, past folders that do not exist', () => {
      expect(hasTool('runme', env)).toBe(true);
    });

    it('does not take a file without the execute bit, a folder, or a name on no folder', () => {
      // Running as root, access(X_OK) still needs an execute bit on a file; a folder passes
      // access(X_OK) and must be refused by the file check.
      expect(hasTool('notexec', env)).toBe(false);
      expect(hasTool('adir', env)).toBe(false);
      expect(hasTool('nowhere', env)).toBe(false);
    });

    it("reads the PATH of the env it is given, not this process's", () => {
      expect(hasTool('runme', { PATH: path.join(dir, 'a') })).toBe(false);
      expect(hasTool('sh', { PATH: '/usr/bin:/bin' })).toBe(true);
    });

    it('takes a path with a slash as it is', () => {
      expect(hasTool(path.join(dir, 'b', 'runme'), { PATH: '' })).toBe(true);
      expect(hasTool(path.join(dir, 'a', 'notexec'), { PATH: '' })).toBe(false);
    });
  },
);
