// The `deskpilot` command's entry point (bin/deskpilot.js imports this file).
import { processIo } from './output.js';
import { runCli } from './program.js';

const code = await runCli(process.argv, processIo());
// Exit explicitly once stdout has drained: native modules (ONNX, libnut) may keep handles open.
process.stdout.write('', () => process.exit(code));
