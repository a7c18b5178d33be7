import { defineConfig } from 'vitest/config';

/**
 * Two projects: `unit` (in-process, parallel) and `interop` (real GoBGP / FRRouting / kernel
 * VXLAN in network namespaces: needs root, run one file at a time so daemons and timers are
 * not starved on a 2-core machine).
 */
const interop = ['test/interop/**/*.test.ts', 'test/dataplane/kernel-*.test.ts'];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: interop,
          testTimeout: 30_000,
          pool: 'forks',
        },
      },
      {
        test: {
          name: 'interop',
          include: interop,
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
          pool: 'forks',
        },
      },
    ],
  },
});
