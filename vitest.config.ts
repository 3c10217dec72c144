import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['__tests__/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Real servers are measured: parallel files would compete for the 2 cores and add noise.
    fileParallelism: false,
  },
});
