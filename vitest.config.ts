import { defineConfig } from 'vitest/config';

/**
 * Two projects: `unit` (pure, no sockets, fast) and `integration` (real Kafka, Redis, ClickHouse from
 * the local stack; run one file at a time so they don't compete for the 2 cores).
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/contract/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
