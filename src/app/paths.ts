import os from 'node:os';
import path from 'node:path';

/**
 * Where DeskPilot keeps its files on each platform. Everything takes the platform, home and
 * environment as parameters so that the Windows and macOS layouts can be tested on Linux.
 */
export interface PlatformInfo {
  platform: NodeJS.Platform;
  home: string;
  env: Record<string, string | undefined>;
}

export function currentPlatform(env: Record<string, string | undefined> = process.env): PlatformInfo {
  return { platform: process.platform, home: os.homedir(), env };
}

function pathFor(p: PlatformInfo): path.PlatformPath {
  return p.platform === 'win32' ? path.win32 : path.posix;
}

/** A set environment variable, or undefined when it is unset or empty. */
function envDir(p: PlatformInfo, name: string): string | undefined {
  const v = p.env[name];
  return v === undefined || v === '' ? undefined : v;
}

/** The config file read when neither `--config` nor $DESKPILOT_CONFIG names one. */
export function defaultConfigPath(p: PlatformInfo): string {
  const P = pathFor(p);
  switch (p.platform) {
    case 'win32':
      return P.join(envDir(p, 'APPDATA') ?? P.join(p.home, 'AppData', 'Roaming'), 'DeskPilot', 'config.yaml');
    case 'darwin':
      return P.join(p.home, 'Library', 'Application Support', 'DeskPilot', 'config.yaml');
    default:
      return P.join(envDir(p, 'XDG_CONFIG_HOME') ?? P.join(p.home, '.config'), 'deskpilot', 'config.yaml');
  }
}

/** The database, screenshots and reports live here unless config, env or a flag says otherwise. */
export function defaultDataDir(p: PlatformInfo): string {
  const P = pathFor(p);
  switch (p.platform) {
    case 'win32':
      return P.join(envDir(p, 'LOCALAPPDATA') ?? P.join(p.home, 'AppData', 'Local'), 'DeskPilot');
    case 'darwin':
      return P.join(p.home, 'Library', 'Application Support', 'DeskPilot');
    default:
      return P.join(envDir(p, 'XDG_DATA_HOME') ?? P.join(p.home, '.local', 'share'), 'deskpilot');
  }
}

/** Expands a leading `~` the way a shell would, since config files are written by people. */
export function expandHome(p: string, info: PlatformInfo): string {
  if (p === '~') return info.home;
  if (p.startsWith('~/') || p.startsWith('~\\')) return pathFor(info).join(info.home, p.slice(2));
  return p;
}

/**
 * The data dir in use: `config.dataDir` already carries the file, DESKPILOT_DATA_DIR and
 * `--data-dir` layers (merged by loadConfig); the platform default otherwise.
 */
export function resolveDataDir(dataDir: string | undefined, info: PlatformInfo = currentPlatform()): string {
  if (dataDir === undefined) return defaultDataDir(info);
  return pathFor(info).resolve(expandHome(dataDir, info));
}
