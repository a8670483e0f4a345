// A .mjs file: tsconfig.json (not this helper's to edit) does not include a root vite.config.ts, so lint could not type it.
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The renderer (src/renderer) builds to dist/renderer; the host and Electron serve that folder.
// Relative asset URLs, so the same build works under any port and inside Electron.
export default defineConfig({
  root: fileURLToPath(new URL('./src/renderer', import.meta.url)),
  base: './',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./dist/renderer', import.meta.url)),
    emptyOutDir: true,
    sourcemap: false,
    rollupOptions: {
      // zod's sources carry comments rollup cannot place; they are harmless and drown real warnings.
      onwarn(warning, warn) {
        if (warning.code !== 'INVALID_ANNOTATION') warn(warning);
      },
    },
  },
  logLevel: 'warn',
});
