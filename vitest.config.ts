import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // End-to-end tests train real models and build a real site: generous per-test limits, no timing assertions.
    testTimeout: 600_000,
    hookTimeout: 600_000,
    // DuckDB and TensorFlow.js each use the two cores; run test files one at a time.
    fileParallelism: false,
  },
});
