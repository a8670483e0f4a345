import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isProcessAlive } from '../../src/storage/liveness.js';
import { startVirtualDisplay } from '../../src/runner/xvfb.js';
import { desktopSupport } from './bed/index.js';

const support = desktopSupport();

// Seen on a loaded machine: openbox gone within moments of its start. It is started again, and
// the display's pids must then name the openbox that runs (a test that held it with SIGSTOP got
// the dead one's pid: "kill ESRCH").
describe.skipIf(!support.ok)(`a private display${support.ok ? '' : ` (skipped: ${support.reason})`}`, () => {
  it('starts openbox again when it dies at once, and its pids are the X server and the openbox that runs', async () => {
    const bin = mkdtempSync(path.join(tmpdir(), 'deskpilot-openbox-'));
    const real = execFileSync('sh', ['-c', 'command -v openbox'], { encoding: 'utf8' }).trim();
    const wrapper = path.join(bin, 'openbox');
    writeFileSync(wrapper, `#!/bin/sh\nif [ ! -e "${bin}/died" ]; then touch "${bin}/died"; exit 1; fi\nexec "${real}" "$@"\n`);
    chmodSync(wrapper, 0o755);
    const PATH = process.env['PATH'];
    process.env['PATH'] = `${bin}${path.delimiter}${PATH ?? ''}`;
    try {
      const screen = await startVirtualDisplay({ from: 270 });
      try {
        expect(existsSync(path.join(bin, 'died'))).toBe(true); // the first one did exit
        expect(screen.pids).toHaveLength(2);
        expect(screen.pids.every((pid) => isProcessAlive(pid))).toBe(true);
      } finally {
        await screen.stop();
      }
    } finally {
      process.env['PATH'] = PATH;
      rmSync(bin, { recursive: true, force: true });
    }
  });
});
