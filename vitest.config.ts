import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts', 'test/faults/support/summary-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Real processes (nats-server, FerretDB, gt up) per file: keep the 2-core machines unhurried.
    maxWorkers: 2,
  },
});
