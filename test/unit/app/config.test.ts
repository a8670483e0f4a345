import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/app/config.js';
import {
  defaultConfigPath,
  defaultDataDir,
  resolveDataDir,
  type PlatformInfo,
} from '../../../src/app/paths.js';
import { ConfigError } from '../../../src/shared/errors.js';

let dir: string;
let platform: PlatformInfo;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'deskpilot-config-'));
  // A home of our own, so that a config file of the machine's user never leaks in.
  platform = { platform: 'linux', home: dir, env: {} };
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
}

function failure(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig precedence', () => {
  it('uses the schema defaults when nothing is given, and says the default file was not found', () => {
    const { config, sources } = loadConfig({ env: {}, platform });
    expect(config.logLevel).toBe('info');
    expect(config.engine.maxSteps).toBe(30);
    expect(sources.fileFound).toBe(false);
    expect(sources.file).toBe(path.join(dir, '.config', 'deskpilot', 'config.yaml'));
  });

  it('layers defaults <- file <- environment <- flags, key by key', () => {
    const cfg = file(
      'c.yaml',
      [
        'logLevel: debug',
        'dataDir: /from/file',
        'display: ":1"',
        'engine:',
        '  maxSteps: 5',
        '  stepTimeoutMs: 1234',
        '',
      ].join('\n'),
    );
    const env = { DESKPILOT_DATA_DIR: '/from/env', DESKPILOT_DISPLAY: ':2', DESKPILOT_MAX_STEPS: '7' };
    const { config, sources } = loadConfig({ configPath: cfg, env, flags: { '--display': ':3' }, platform });
    expect(config.logLevel).toBe('debug'); // file only
    expect(config.engine.stepTimeoutMs).toBe(1234); // file only, beside an env-set sibling
    expect(config.engine.maxSteps).toBe(7); // env over file
    expect(config.dataDir).toBe('/from/env'); // env over file
    expect(config.display).toBe(':3'); // flag over env over file
    expect(config.engine.runTimeoutMs).toBe(30 * 60_000); // default
    expect(sources).toMatchObject({ file: cfg, fileFound: true, fileNamedBy: 'flag', flags: ['--display'] });
    expect(sources.env.sort()).toEqual(['DESKPILOT_DATA_DIR', 'DESKPILOT_DISPLAY', 'DESKPILOT_MAX_STEPS']);
  });

  it('finds the file through $DESKPILOT_CONFIG and then $XDG_CONFIG_HOME, and reads JSON as YAML', () => {
    const viaEnv = file('env.json', '{"logLevel": "warn"}');
    expect(loadConfig({ env: { DESKPILOT_CONFIG: viaEnv }, platform }).config.logLevel).toBe('warn');
    const xdg = path.join(dir, 'xdg');
    const p = { ...platform, env: { XDG_CONFIG_HOME: xdg } };
    expect(defaultConfigPath(p)).toBe(path.join(xdg, 'deskpilot', 'config.yaml'));
  });

  it('lets a root supply defaults below the file', () => {
    expect(loadConfig({ env: {}, platform, defaults: { logLevel: 'warn' } }).config.logLevel).toBe('warn');
    const cfg = file('c.yaml', 'logLevel: trace\n');
    expect(
      loadConfig({ configPath: cfg, env: {}, platform, defaults: { logLevel: 'warn' } }).config.logLevel,
    ).toBe('trace');
  });

  it('refuses a config file that was named but does not exist', () => {
    const missing = path.join(dir, 'nope.yaml');
    const err = failure(() => loadConfig({ configPath: missing, env: {}, platform }));
    expect(err.message).toBe(`${missing}: config file not found`);
    const viaEnv = failure(() => loadConfig({ env: { DESKPILOT_CONFIG: missing }, platform }));
    expect(viaEnv.file).toBe(missing);
  });
});

describe('loadConfig errors', () => {
  it('points at file:line:col for malformed YAML', () => {
    const cfg = file('c.yaml', 'logLevel: debug\nengine:\n  maxSteps: [1, 2\nsafety: {}\n');
    const err = failure(() => loadConfig({ configPath: cfg, env: {}, platform }));
    expect(err.file).toBe(cfg);
    expect(err.line).toBeGreaterThanOrEqual(3);
    expect(err.message).toMatch(new RegExp(`^${cfg}:\\d+:\\d+: YAML syntax error: `));
  });

  it('names the duplicate key line', () => {
    const cfg = file('c.yaml', 'logLevel: debug\nlogLevel: info\n');
    const err = failure(() => loadConfig({ configPath: cfg, env: {}, platform }));
    expect(err.message).toContain(`${cfg}:2:1:`);
  });

  it('gives file:line:col and the key path for a wrong value deep in the file', () => {
    const cfg = file(
      'c.yaml',
      [
        '# models',
        'models:',
        '  planner:',
        '    model: qwen',
        '    baseURL: not-a-url',
        'engine:',
        '  maxSteps: many',
        '',
      ].join('\n'),
    );
    const err = failure(() => loadConfig({ configPath: cfg, env: {}, platform }));
    const [first, second] = err.message.split('\n');
    expect(first).toBe(`${cfg}:5:14: models.planner.baseURL: Invalid URL`);
    expect(second).toMatch(new RegExp(`^${cfg}:7:13: engine.maxSteps: .*expected number`));
    expect([err.line, err.column]).toEqual([5, 14]);
  });

  it('points at the enclosing key when a required key is missing', () => {
    const cfg = file('c.yaml', 'models:\n  grounder:\n    baseURL: http://localhost:8000/v1\n');
    const err = failure(() => loadConfig({ configPath: cfg, env: {}, platform }));
    expect(err.message).toBe(`${cfg}:3:5: models.grounder.model: required, but missing (expected string)`);
  });

  it('rejects an unknown key and suggests the closest known one', () => {
    const cfg = file('c.yaml', 'engine:\n  maxStep: 3\n');
    const err = failure(() => loadConfig({ configPath: cfg, env: {}, platform }));
    expect(err.message).toBe(`${cfg}:2:3: engine.maxStep: unknown key "maxStep" (did you mean "maxSteps"?)`);
    const top = file('t.yaml', 'logLevel: info\nlogLvl: debug\n');
    expect(failure(() => loadConfig({ configPath: top, env: {}, platform })).message).toContain(
      `${top}:2:1: logLvl: unknown key "logLvl" (did you mean "logLevel"?)`,
    );
  });

  it('lists the known keys when nothing is close', () => {
    const cfg = file('c.yaml', 'safety:\n  zzzzzzzzzz: 1\n');
    const err = failure(() => loadConfig({ configPath: cfg, env: {}, platform }));
    expect(err.message).toContain('known keys: confirmTimeoutMs, allowApps');
  });

  it('refuses a file that is not a mapping', () => {
    const cfg = file('c.yaml', '- a\n- b\n');
    expect(failure(() => loadConfig({ configPath: cfg, env: {}, platform })).message).toContain(
      `${cfg}:1:1: the config file must be a mapping`,
    );
  });

  it('names the environment variable behind a bad value', () => {
    const err = failure(() => loadConfig({ env: { DESKPILOT_MAX_STEPS: 'abc' }, platform }));
    expect(err.message).toMatch(/^DESKPILOT_MAX_STEPS=abc: engine\.maxSteps: .*expected number/);
    const url = failure(() =>
      loadConfig({ env: { DESKPILOT_MODEL_BASE_URL: 'nope', DESKPILOT_MODEL: 'm' }, platform }),
    );
    expect(url.message).toBe('DESKPILOT_MODEL_BASE_URL=nope: models.planner.baseURL: Invalid URL');
  });

  it('says which variable made a missing key required, without printing an API key', () => {
    const err = failure(() => loadConfig({ env: { DESKPILOT_MODEL_API_KEY: 'sk-very-secret' }, platform }));
    expect(err.message).toContain('models.planner.baseURL: required, but missing');
    expect(err.message).toContain('DESKPILOT_MODEL_API_KEY=[redacted]');
    expect(err.message).not.toContain('sk-very-secret');
  });

  it('names the flag behind a bad value', () => {
    const err = failure(() => loadConfig({ env: {}, flags: { '--log-level': 'loud' }, platform }));
    expect(err.message).toMatch(/^--log-level=loud: logLevel: /);
  });
});

describe('data dir', () => {
  it('follows XDG on Linux, and the usual places on macOS and Windows', () => {
    expect(defaultDataDir({ platform: 'linux', home: '/home/u', env: {} })).toBe(
      '/home/u/.local/share/deskpilot',
    );
    expect(defaultDataDir({ platform: 'linux', home: '/home/u', env: { XDG_DATA_HOME: '/d' } })).toBe(
      '/d/deskpilot',
    );
    expect(defaultDataDir({ platform: 'darwin', home: '/Users/u', env: {} })).toBe(
      '/Users/u/Library/Application Support/DeskPilot',
    );
    expect(
      defaultDataDir({
        platform: 'win32',
        home: 'C:\\Users\\u',
        env: { LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' },
      }),
    ).toBe('C:\\Users\\u\\AppData\\Local\\DeskPilot');
    expect(defaultConfigPath({ platform: 'win32', home: 'C:\\Users\\u', env: { APPDATA: 'C:\\R' } })).toBe(
      'C:\\R\\DeskPilot\\config.yaml',
    );
  });

  it('is overridden by config, DESKPILOT_DATA_DIR and --data-dir (through the merged config)', () => {
    const { config } = loadConfig({ env: { DESKPILOT_DATA_DIR: '~/dp' }, platform });
    expect(resolveDataDir(config.dataDir, platform)).toBe(path.join(dir, 'dp'));
    const flagged = loadConfig({
      env: { DESKPILOT_DATA_DIR: '/e' },
      flags: { '--data-dir': '/f' },
      platform,
    });
    expect(resolveDataDir(flagged.config.dataDir, platform)).toBe('/f');
    expect(resolveDataDir(undefined, platform)).toBe(path.join(dir, '.local', 'share', 'deskpilot'));
  });
});
