import { defineConfig } from 'vitest/config';

/**
 * `npm run test:faults`: the fault-injection suite at full size (GT_FAULTS_FULL=1, set by the
 * script). The reduced sizes of the same files run in the default config (`npm test`).
 */
export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts', 'test/faults/support/summary-setup.ts'],
    testTimeout: 1_200_000,
    hookTimeout: 300_000,
    // One scenario at a time: each loads both cores with real processes.
    maxWorkers: 1,
    fileParallelism: false,
  },
});
