import { defineConfig } from 'vitest/config';

/**
 * Three projects: `unit` (pure, no sockets, fast), `integration` (real Kafka, Redis, ClickHouse from
 * the local stack; run one file at a time so they don't compete for the 2 cores) and `fault` (the engine
 * as a child process under kill -9, broker restarts and sink outages; one file at a time, because the
 * broker test stops the shared broker; see docs/reliability.md).
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/contract/**/*.test.ts'],
          environment: 'node',
          // A few tests replay a planted stream through the whole pipeline (seconds on an idle 2-core
          // machine); the bound guards against hangs, not speed (speed is `npm run bench`).
          testTimeout: 30_000,
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
      {
        test: {
          name: 'fault',
          include: ['test/fault/**/*.test.ts'],
          environment: 'node',
          testTimeout: 300_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
