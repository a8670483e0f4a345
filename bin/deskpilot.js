#!/usr/bin/env node
// The `deskpilot` command. Sources are TypeScript: they run from an esbuild bundle that is
// rebuilt whenever a source changed (src/cli/bundle.mjs), or through tsx where no bundle can be
// built, so a clone works right after `npm ci` without a build step.
import { pathToFileURL } from 'node:url';
import { freshBundle } from '../src/cli/bundle.mjs';
import { prestartOcrServer } from '../src/cli/prestart.mjs';

// A test run's OCR server starts while the CLI loads (src/cli/prestart.mjs).
await prestartOcrServer(process.argv.slice(2));
const bundle = await freshBundle('cli');
if (bundle) {
  await import(pathToFileURL(bundle).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
