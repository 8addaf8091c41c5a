import { defineConfig } from 'vitest/config';

// `npm run bench`: each file measures ours against a reference in the same run and prints the ratio.
export default defineConfig({
  test: {
    include: ['bench/**/*.bench.ts'],
    testTimeout: 300_000,
    fileParallelism: false,
    silent: false,
    reporters: ['verbose'],
  },
});
