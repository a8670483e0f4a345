// Electron's own install script is disabled in package.json (allowScripts) because it
// downloads the binary from GitHub, which fails the whole `npm ci` on machines that reach
// only the npm registry. Here we run it ourselves and treat a failure as "no Electron
// binary": `npm start` then serves the UI to a browser instead (see README).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

function electronInstallScript() {
  try {
    return path.join(path.dirname(require.resolve('electron/package.json')), 'install.js');
  } catch {
    return undefined; // electron is a devDependency; a production install has none
  }
}

const script = electronInstallScript();
if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) {
  console.log('deskpilot: ELECTRON_SKIP_BINARY_DOWNLOAD is set; not fetching the Electron binary.');
} else if (script && existsSync(script)) {
  const result = spawnSync(process.execPath, [script], {
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 180_000,
    encoding: 'utf8',
  });
  if (result.status === 0) {
    console.log('deskpilot: Electron binary is installed.');
  } else {
    const reason = (result.stderr || result.stdout || String(result.error ?? '')).trim().split('\n').pop();
    console.log(
      'deskpilot: the Electron binary could not be downloaded (' +
        (reason || 'no network') +
        '). Everything else works; `npm start` will serve the UI to your browser instead.',
    );
  }
}
