import path from 'node:path';
import { DURATIONS_FILE } from '../runner/suite/schedule.js';
import type { testChannels } from '../shared/ipc-tests.js';
import type { Area, AreaDeps } from './area.js';
import { listTaskFiles } from './test-files.js';
import { TestRunner } from './test-runs.js';

type Keys = keyof typeof testChannels;

/** The folder of a data dir where test runs from the app keep their reports (served by the host). */
export function testRunsDir(dataDir: string): string {
  return path.join(dataDir, 'test-runs');
}

/**
 * The Test runs screen: list task files, run them on private virtual displays (the suite runner
 * of `deskpilot test`), stop, and the runs so far. Relative paths start at the app's working dir.
 */
export function testArea(deps: AreaDeps, cwd = process.cwd()): Area<Keys> {
  const { app, emit } = deps;
  const runner = new TestRunner({
    runsDir: testRunsDir(app.dataDir),
    cwd,
    secretsDir: app.dataDir,
    ...(app.sources.fileFound ? { configPath: app.sources.file } : {}),
    // The same file as `deskpilot test`: both learn how long each task takes.
    durationsFile: path.join(app.dataDir, DURATIONS_FILE),
    logger: app.logger,
    onProgress: (runId, tasks, workersReady) => emit('tests.progress', { runId, tasks, workersReady }),
    onFinished: (view) => emit('tests.finished', view),
  });
  return {
    handlers: {
      'tests.files': ({ pattern }) => listTaskFiles(pattern, cwd),
      'tests.run': (request) => runner.start(request),
      'tests.stop': ({ runId }) => (runner.stop(runId), Promise.resolve({})),
      'tests.runs': ({ limit }) => runner.list(limit),
    },
    dispose: () => runner.dispose(),
  };
}
