import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SuiteResult } from '../suite/results.js';
import type { Reporter } from './reporter.js';

/** The whole result as one JSON document: results.json in the output dir. */
export class JsonReporter implements Reporter {
  readonly name = 'json';
  constructor(private readonly outputDir: string) {}

  async finish(result: SuiteResult): Promise<string> {
    await mkdir(this.outputDir, { recursive: true });
    const file = path.join(this.outputDir, 'results.json');
    await writeFile(file, JSON.stringify(result, null, 2) + '\n');
    return file;
  }
}
