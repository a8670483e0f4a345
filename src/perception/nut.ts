/**
 * nut-js's screen, for the capture adapter that loads it on first use (see src/actions/nut.ts:
 * a dynamic import of a bundled CommonJS package would keep only its default export).
 */
export { Region, screen } from '@nut-tree-fork/nut-js';
