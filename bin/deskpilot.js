#!/usr/bin/env node
// The `deskpilot` command. Sources are TypeScript run through tsx, so that a clone works
// right after `npm ci` without a build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
