import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { electronBinary } from './logic.js';

/**
 * `npm start`: the Electron window when Electron's binary is installed, otherwise the same UI in
 * the browser through `deskpilot ui`, saying so. Electron cannot run TypeScript, so main and the
 * preload are bundled with esbuild first (about a second); the renderer is built by the host.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const binary = electronBinary(() => createRequire(import.meta.url)('electron'));

if (args[0] === '--bundle-only') {
  // `npm start -- --bundle-only`: check that main and the preloads bundle, without Electron.
  await bundle();
  console.log(`bundled ${path.join(root, 'dist', 'main', 'index.mjs')} and the preloads in ${path.join(root, 'dist', 'preload')}`);
} else if (!binary) {
  console.log("Electron's binary is not installed here (its download failed or was skipped): opening DeskPilot in your browser instead (deskpilot ui).");
  run(process.execPath, [path.join(root, 'bin', 'deskpilot.js'), 'ui', ...args]);
} else {
  await bundle();
  run(binary, [path.join(root, 'dist', 'main', 'index.mjs'), ...args]);
}

async function bundle(): Promise<void> {
  const { build } = await import('esbuild');
  const common = { bundle: true, platform: 'node', target: 'node20', packages: 'external', logLevel: 'warning' } as const;
  // The core's native modules (sharp, better-sqlite3, onnxruntime, libnut) stay external packages.
  await build({ ...common, entryPoints: [path.join(root, 'src/main/index.ts')], outfile: path.join(root, 'dist/main/index.mjs'), format: 'esm', external: ['electron'] });
  // Sandboxed preloads must be CommonJS.
  for (const name of ['index', 'widget']) {
    await build({ ...common, entryPoints: [path.join(root, `src/preload/${name}.ts`)], outfile: path.join(root, `dist/preload/${name}.cjs`), format: 'cjs', external: ['electron'] });
  }
}

function run(command: string, argv: string[]): void {
  const child = spawn(command, argv, { stdio: 'inherit' });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => child.kill(sig));
  child.on('exit', (code) => process.exit(code ?? 1));
}
