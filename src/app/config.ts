import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import {
  Config,
  ENV_KEYS,
  envLayer,
  isPlainObject,
  mergeLayers,
  setPath,
  type ConfigLayer,
} from '../shared/config.js';
import { ConfigError } from '../shared/errors.js';
import { REDACTED_KEYS, REDACTION } from '../shared/logger.js';
import { dottedPath, positionOf, problemsOf, type ConfigProblem } from './config-issues.js';
import { currentPlatform, defaultConfigPath, expandHome, type PlatformInfo } from './paths.js';

/**
 * Loads the configuration once, in a composition root: defaults <- config file <- environment
 * <- flags. Each layer is validated on top of the ones below it, so that an error is blamed on
 * the layer that introduced it: a file error carries file:line:col, an environment error names
 * the variable, a flag error names the flag.
 */

/** Command-line flags that set configuration, and where each lands. */
export const FLAG_KEYS: Record<string, string[]> = {
  '--data-dir': ['dataDir'],
  '--log-level': ['logLevel'],
  '--display': ['display'],
};

export interface LoadConfigOptions {
  /** `--config <file>`; wins over $DESKPILOT_CONFIG and the platform default. */
  configPath?: string;
  env: Record<string, string | undefined>;
  /** Flag values keyed by flag as typed ("--data-dir"); undefined means not given. */
  flags?: Record<string, unknown>;
  /** Flag table; FLAG_KEYS unless a root adds its own. */
  flagKeys?: Record<string, string[]>;
  platform?: PlatformInfo;
  /** A root's own defaults, below the config file (the CLI logs only warnings unless asked). */
  defaults?: ConfigLayer;
}

export interface ConfigSources {
  /** The config file considered (read when `fileFound`). */
  file: string;
  fileFound: boolean;
  /** Who named the file: `--config`, $DESKPILOT_CONFIG or the platform default. */
  fileNamedBy: 'flag' | 'env' | 'default';
  /** Environment variables that set a value. */
  env: string[];
  /** Flags that set a value. */
  flags: string[];
}

export interface LoadedConfig {
  config: Config;
  sources: ConfigSources;
}

export function loadConfig(options: LoadConfigOptions): LoadedConfig {
  const platform = options.platform ?? currentPlatform(options.env);
  const located = locateFile(options, platform);
  const file = readFile(located.file, located.namedBy !== 'default');
  const fileLayer = file === undefined ? {} : parseFile(located.file, file);

  const envEntries = Object.entries(ENV_KEYS)
    .filter(([name]) => options.env[name] !== undefined && options.env[name] !== '')
    .map(([name, p]) => ({ label: name, path: p, value: options.env[name] }));
  const flagKeys = options.flagKeys ?? FLAG_KEYS;
  const flagEntries = Object.entries(options.flags ?? {})
    .filter(([, v]) => v !== undefined)
    .map(([flag, value]) => {
      const p = flagKeys[flag];
      if (!p)
        throw new ConfigError(
          `${flag}: not a configuration flag (known: ${Object.keys(flagKeys).join(', ')})`,
        );
      return { label: flag, path: p, value };
    });
  const flagLayer: ConfigLayer = {};
  for (const e of flagEntries) setPath(flagLayer, e.path, e.value);

  // Validate layer by layer so that each error is blamed on its source.
  const base = mergeLayers(options.defaults ?? {}, fileLayer);
  const withEnv = mergeLayers(base, envLayer(options.env));
  const all = mergeLayers(withEnv, flagLayer);
  checkLayer(base, [], 'defaults');
  checkLayer(withEnv, envEntries, 'environment');
  const parsed = checkLayer(all, flagEntries, 'flags');

  return {
    config: parsed,
    sources: {
      file: located.file,
      fileFound: file !== undefined,
      fileNamedBy: located.namedBy,
      env: envEntries.map((e) => e.label),
      flags: flagEntries.map((e) => e.label),
    },
  };
}

function locateFile(
  options: LoadConfigOptions,
  platform: PlatformInfo,
): { file: string; namedBy: ConfigSources['fileNamedBy'] } {
  if (options.configPath)
    return { file: path.resolve(expandHome(options.configPath, platform)), namedBy: 'flag' };
  const fromEnv = options.env['DESKPILOT_CONFIG'];
  if (fromEnv) return { file: path.resolve(expandHome(fromEnv, platform)), namedBy: 'env' };
  return { file: defaultConfigPath(platform), namedBy: 'default' };
}

/** The file's text; undefined when the default file does not exist (a named one must). */
function readFile(file: string, named: boolean): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !named) return undefined;
    const why =
      code === 'ENOENT'
        ? 'config file not found'
        : code === 'EISDIR'
          ? 'is a directory, not a config file'
          : `cannot read the config file (${code ?? String(err)})`;
    throw new ConfigError(why, { file }, { cause: err });
  }
}

function parseFile(file: string, text: string): ConfigLayer {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const syntax = doc.errors[0];
  if (syntax) {
    const at = lines.linePos(syntax.pos[0]);
    throw new ConfigError(`YAML syntax error: ${syntax.message}`, { file, line: at.line, column: at.col });
  }
  const value: unknown = doc.toJS();
  if (value === null || value === undefined) return {};
  if (!isPlainObject(value)) {
    throw new ConfigError('the config file must be a mapping of keys (such as "logLevel: debug")', {
      file,
      line: 1,
      column: 1,
    });
  }
  // The file is checked against the schema on its own, where positions are still known.
  const result = Config.safeParse(value);
  if (!result.success) throw fileError(file, doc, lines, problemsOf(result.error));
  return value;
}

function fileError(file: string, doc: Document, lines: LineCounter, problems: ConfigProblem[]): ConfigError {
  const located = problems
    .map((p) => ({ p, at: positionOf(doc, lines, p) }))
    .sort((a, b) => (a.at?.line ?? 0) - (b.at?.line ?? 0) || (a.at?.col ?? 0) - (b.at?.col ?? 0));
  const [first, ...rest] = located;
  const text = (p: ConfigProblem): string => `${dottedPath(p.path)}: ${p.message}`;
  const more = rest.map(({ p, at }) => `\n${file}${at ? `:${at.line}:${at.col}` : ''}: ${text(p)}`).join('');
  return new ConfigError(first ? text(first.p) + more : 'invalid configuration', {
    file,
    line: first?.at?.line,
    column: first?.at?.col,
  });
}

interface LayerEntry {
  label: string;
  path: string[];
  value: unknown;
}

function checkLayer(merged: ConfigLayer, entries: LayerEntry[], layerName: string): Config {
  const result = Config.safeParse(merged);
  if (result.success) return result.data;
  const lines = problemsOf(result.error).map((p) => blame(p, entries, layerName));
  throw new ConfigError(lines.join('\n'));
}

/** Names the variable or flag behind a problem: the one at its path, else the nearest one. */
function blame(problem: ConfigProblem, entries: LayerEntry[], layerName: string): string {
  const where = dottedPath(problem.path);
  const key = problem.path.map(String).join('.');
  const exact = entries.find((e) => e.path.join('.') === key);
  if (exact) return `${show(exact)}: ${where}: ${problem.message}`;
  const related = entries.filter((e) => key.startsWith(e.path.slice(0, -1).join('.')));
  if (related.length)
    return `${where}: ${problem.message} (needed because ${related.map(show).join(', ')} ${related.length > 1 ? 'are' : 'is'} set)`;
  return `${layerName}: ${where}: ${problem.message}`;
}

function show(e: LayerEntry): string {
  const last = e.path.at(-1) ?? '';
  const secret = (REDACTED_KEYS as readonly string[]).includes(last);
  return `${e.label}=${secret ? REDACTION : stringify(e.value)}`;
}

function stringify(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** The config as a plain object for `--json` output and logs, with literal API keys hidden. */
export function publicConfig(config: Config): Config {
  const copy = structuredClone(config);
  for (const m of [copy.models.planner, copy.models.grounder]) {
    if (m?.apiKey && !/^\{\{secret:[^}]+\}\}$/.test(m.apiKey)) m.apiKey = REDACTION;
  }
  return copy;
}
