import { defineConfig } from 'vitest/config';

/** `npm run fuzz`: the fuzz properties alone, each for FUZZ_MS (default 60 s). */
export default defineConfig({
  test: {
    include: ['fuzz/**/*.fuzz.ts'],
    pool: 'forks',
    testTimeout: 0,
    env: { FUZZ_MS: process.env.FUZZ_MS ?? '60000', NODE_NO_WARNINGS: '1' },
  },
});
