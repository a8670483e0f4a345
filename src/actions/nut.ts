/**
 * nut-js for code that loads it on first use: `await import('./nut.js')`, never
 * `import('@nut-tree-fork/nut-js')` itself. nut-js is CommonJS bundled into DeskPilot's start-up
 * bundles (src/cli/bundle.mjs), and a bundle split at a dynamic import of a CommonJS package
 * exposes only its default export; through this module its named exports stay.
 */
export { keyboard, mouse } from '@nut-tree-fork/nut-js';
