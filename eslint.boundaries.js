// Who may import whom (ARCHITECTURE.md). Kept apart from eslint.config.js so that a test can
// lint probe files with exactly these rules and prove that a crossing fails.
import { builtinModules } from 'node:module';

const NODE = ['node:*', ...builtinModules.filter((m) => !m.startsWith('_')).flatMap((m) => [m, `${m}/*`])];
const ALL = ['shared', 'perception', 'grounding', 'planner', 'actions', 'storage', 'engine', 'macros', 'runner', 'app', 'cli', 'host', 'main', 'preload', 'renderer'];
const folder = (f) => [`**/${f}/**`, `**/${f}`];

/** @returns {import('eslint').Linter.Config} */
function rule(files, forbiddenFolders, extra = [], message = '') {
  const patterns = [];
  if (forbiddenFolders.length) {
    patterns.push({
      group: forbiddenFolders.flatMap(folder),
      message: `breaks the import boundaries of ARCHITECTURE.md${message}`,
    });
  }
  for (const e of extra) patterns.push(e);
  return { files, rules: { 'no-restricted-imports': ['error', { patterns }] } };
}

const noElectron = { group: ['electron', 'electron/*'], message: 'the core runs under plain Node: no electron here' };
const noNode = { group: NODE, message: 'no Node built-ins in this environment' };
const except = (...allowed) => ALL.filter((f) => !allowed.includes(f));

/** @type {import('eslint').Linter.Config[]} */
export const boundaries = [
  rule(['src/shared/**'], except('shared'), [
    noNode,
    noElectron,
    { regex: '^(?!zod($|/)|\\.\\.?/)', message: 'src/shared may import zod only' },
  ]),
  ...['perception', 'planner', 'actions', 'storage'].map((f) =>
    rule([`src/${f}/**`], except('shared', f), [noElectron]),
  ),
  rule(['src/grounding/**'], except('shared', 'perception', 'grounding'), [noElectron]),
  rule(['src/engine/**'], ['macros', 'runner', 'app', 'cli', 'host', 'main', 'preload', 'renderer'], [noElectron]),
  rule(['src/macros/**'], ['runner', 'app', 'cli', 'host', 'main', 'preload', 'renderer'], [noElectron]),
  rule(['src/runner/**'], ['app', 'cli', 'host', 'main', 'preload', 'renderer'], [noElectron]),
  rule(['src/app/**'], ['cli', 'host', 'main', 'preload', 'renderer'], [noElectron]),
  rule(['src/cli/**', 'src/host/**'], ['main', 'preload', 'renderer'], [noElectron]),
  rule(['src/main/**'], ['preload', 'renderer']),
  rule(['src/preload/**'], except('shared', 'preload'), [noNode]),
  rule(['src/renderer/**'], except('shared', 'renderer'), [noNode, noElectron]),
];
