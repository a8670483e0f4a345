// The `deskpilot` command's entry point (bin/deskpilot.js imports this file). No top-level await:
// the command's bundle is one CommonJS script, run with V8's code cache (src/cli/bundle.mjs).
import { processIo } from './output.js';
import { runCli } from './program.js';

void runCli(process.argv, processIo()).then((code) => {
  // Exit explicitly once stdout has drained: native modules (ONNX, libnut) may keep handles open.
  process.stdout.write('', () => process.exit(code));
});
