import { defineConfig } from 'vitest/config';

/** The default test run: unit, conformance, real-socket and short fuzz tests. */
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'fuzz/**/*.fuzz.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    env: { NODE_NO_WARNINGS: '1' },
  },
});
