// Makes sure the system packages the desktop tests need are there, before `npm test` and CI.
// On Debian/Ubuntu as root (or with passwordless sudo) it installs the missing ones with apt,
// saying what it installs; when everything is there it prints nothing and takes one dpkg-query.
// Elsewhere it only says what is missing and how to get it, and exits 0: the desktop tests then
// skip with that reason, and the rest of the suite still runs. Plain Node, no dependencies.
// Set DESKPILOT_SKIP_SYSTEM_SETUP=1 to skip this entirely.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const PACKAGES = [
  'xvfb', // the virtual display
  'xauth',
  'xterm', // a terminal app to type into
  'x11-utils', // xdpyinfo, xwininfo, xprop
  'xdotool',
  'x11-xserver-utils', // xrandr (monitors; screenshot-desktop needs it)
  'imagemagick', // `import` screen captures
  'chromium', // headed browser driven by playwright-core
  'fonts-dejavu-core', // readable fonts for fixture pages and OCR
  'openbox', // a window manager: focus, title bars, moving windows
  'mousepad', // a GTK app
  'xclip', // clipboard
  'dbus-x11', // dbus-launch, so GTK apps get a session bus on the test display
];

const say = (line) => console.log(`ensure-system: ${line}`);

function missingPackages() {
  const result = spawnSync('dpkg-query', ['-W', '-f=${Package} ${db:Status-Status}\\n', ...PACKAGES], {
    encoding: 'utf8',
  });
  if (result.error) return undefined; // no dpkg: not Debian/Ubuntu
  const installed = new Set(
    result.stdout
      .split('\n')
      .map((line) => line.trim().split(' '))
      .filter(([, status]) => status === 'installed')
      .map(([name]) => name.replace(/:.*$/, '')),
  );
  return PACKAGES.filter((p) => !installed.has(p));
}

function canInstall() {
  if (typeof process.getuid === 'function' && process.getuid() === 0) return { ok: true, prefix: [] };
  const sudo = spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' });
  if (!sudo.error && sudo.status === 0) return { ok: true, prefix: ['sudo', '-n'] };
  return { ok: false, prefix: [] };
}

function run(prefix, args) {
  const [command, ...rest] = [...prefix, ...args];
  const result = spawnSync(command, rest, {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return result.status === 0;
}

function main() {
  if (process.env.DESKPILOT_SKIP_SYSTEM_SETUP) return;
  if (process.platform !== 'linux') {
    say(`desktop tests need Linux with Xvfb; on ${process.platform} they will be skipped.`);
    return;
  }
  const missing = missingPackages();
  if (missing === undefined) {
    const apt = existsSync('/usr/bin/apt-get') ? ' (apt-get found but no dpkg-query)' : '';
    say(`not a Debian/Ubuntu system${apt}; install these or their equivalents for the desktop tests:`);
    say(`  ${PACKAGES.join(' ')}`);
    return;
  }
  if (missing.length === 0) return;

  const how = `apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  const access = canInstall();
  if (!access.ok) {
    say(`missing system packages for the desktop tests: ${missing.join(' ')}`);
    say(`install them with: sudo ${how}   (until then the desktop tests are skipped)`);
    return;
  }
  say(`installing system packages for the desktop tests: ${missing.join(' ')}`);
  const ok =
    run(access.prefix, ['apt-get', 'update', '-qq']) &&
    run(access.prefix, ['apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...missing]);
  if (!ok) {
    say(`apt-get failed; install by hand with: sudo ${how}`);
    return;
  }
  const still = missingPackages() ?? [];
  if (still.length > 0) say(`still missing after apt-get: ${still.join(' ')}`);
  else say('done.');
}

main();
