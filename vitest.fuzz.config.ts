import { defineConfig } from 'vitest/config';

/** `npm run fuzz`: the fuzz properties alone, each for FUZZ_MS (default 60 s), with fresh random seeds. */
export default defineConfig({
  test: {
    include: ['fuzz/**/*.fuzz.ts'],
    pool: 'forks',
    testTimeout: 0,
    env: { FUZZ_MS: process.env.FUZZ_MS ?? '60000', FUZZ_RANDOM: '1', NODE_NO_WARNINGS: '1' },
  },
});
