// Type-checks each environment with its own tsconfig (ARCHITECTURE.md: core without DOM or
// Electron types, renderer without Node types). An environment with no files yet (TS18003) is
// reported and skipped rather than failing the check.
import { spawnSync } from 'node:child_process';

const configs = ['tsconfig.core.json', 'tsconfig.electron.json', 'tsconfig.renderer.json', 'tsconfig.test.json'];
let failed = false;
for (const config of configs) {
  const r = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', config, '--noEmit'], { encoding: 'utf8' });
  const out = (r.stdout ?? '') + (r.stderr ?? '');
  if (r.status === 0) {
    console.log(`typecheck ${config}: ok`);
  } else if (/error TS18003/.test(out) && !/error TS(?!18003)/.test(out)) {
    console.log(`typecheck ${config}: no files yet, skipped`);
  } else {
    failed = true;
    console.log(`typecheck ${config}: FAILED\n${out}`);
  }
}
process.exit(failed ? 1 : 0);
