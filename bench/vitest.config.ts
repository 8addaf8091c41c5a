import { defineConfig } from 'vitest/config';

// `npm run bench`: each file measures ours against a reference in the same run and prints the ratio.
export default defineConfig({
  test: {
    include: ['bench/**/*.bench.ts'],
    testTimeout: 300_000,
    fileParallelism: false,
    // A benchmark may collect the garbage of its last case first (globalThis.gc), so that the
    // engine's collector threads do not compete with the next case's workers for the cores.
    execArgv: ['--expose-gc'],
    silent: false,
    reporters: ['verbose'],
  },
});
