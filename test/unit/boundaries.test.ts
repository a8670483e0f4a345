import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
import { boundaries } from '../../eslint.boundaries.js';
import projectConfig from '../../eslint.config.js';

// Lints probe sources as if they lived at the given paths, with exactly the boundary rules
// that `npm run lint` uses, and proves that forbidden crossings fail the check.
const eslint = new ESLint({
  cwd: process.cwd(),
  overrideConfigFile: true,
  overrideConfig: [{ files: ['**/*.ts', '**/*.tsx'], languageOptions: { parser: tseslint.parser } }, ...boundaries],
});

async function problems(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`);
}

describe('import boundaries', () => {
  it('the project lint config contains every boundary rule', () => {
    for (const rule of boundaries) expect(projectConfig).toContain(rule);
  });

  it.each([
    ['src/renderer/app.tsx', "import { readFileSync } from 'node:fs';"],
    ['src/renderer/app.tsx', "import fs from 'fs';"],
    ['src/renderer/app.tsx', "import { openStore } from '../storage/index.js';"],
    ['src/storage/db.ts', "import { app } from 'electron';"],
    ['src/perception/capture.ts', "import { ipcMain } from 'electron/main';"],
    ['src/engine/loop.ts', "import { app } from 'electron';"],
    ['src/shared/steps.ts', "import { readFileSync } from 'node:fs';"],
    ['src/shared/steps.ts', "import pino from 'pino';"],
    ['src/shared/steps.ts', "import { x } from '../storage/index.js';"],
    ['src/grounding/text.ts', "import { x } from '../planner/agents.js';"],
    ['src/actions/driver.ts', "import { x } from '../perception/capture.js';"],
    ['src/engine/loop.ts', "import { x } from '../cli/main.js';"],
    ['src/preload/index.ts', "import { spawn } from 'node:child_process';"],
  ])('%s: `%s` fails the check', async (file, code) => {
    const found = await problems(file, code);
    expect(found.length).toBeGreaterThan(0);
    expect(found[0]).toMatch(/no-restricted-imports/);
  });

  it.each([
    ['src/renderer/app.tsx', "import type { Step } from '../shared/steps.js';"],
    ['src/shared/steps.ts', "import { z } from 'zod'; import { Box } from './geometry.js';"],
    ['src/storage/db.ts', "import Database from 'better-sqlite3'; import { StorageError } from '../shared/errors.js';"],
    ['src/grounding/text.ts', "import { x } from '../perception/ocr/index.js';"],
    ['src/engine/loop.ts', "import { x } from '../grounding/cascade.js'; import { y } from '../actions/index.js';"],
    ['src/main/index.ts', "import { app } from 'electron'; import { x } from '../cli/compose.js';"],
    ['src/preload/index.ts', "import { contextBridge } from 'electron';"],
  ])('%s: `%s` is allowed', async (file, code) => {
    expect(await problems(file, code)).toEqual([]);
  });
});
