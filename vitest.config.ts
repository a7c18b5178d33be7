import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // interop tests share network namespaces and real daemons: never run two files at once there
    fileParallelism: true,
    pool: 'forks',
  },
});
