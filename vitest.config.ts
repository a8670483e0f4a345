import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Desktop tests each start their own X server and apps; two cores take two at a time.
    maxWorkers: 2,
    // Desktop end-to-end tests run real OCR and real apps; a loaded CI machine needs headroom.
    testTimeout: 90_000,
    hookTimeout: 60_000,
    teardownTimeout: 20_000,
  },
});
