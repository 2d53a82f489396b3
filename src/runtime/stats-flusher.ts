import { describeError } from '../errors.ts';
import type { Logger } from '../ports/logger.ts';
import type { MinuteRows, MinuteStats } from './minute-stats.ts';

export interface StatsFlusher {
  /** Writes once more (the open minute included) and stops the timer. */
  stop(): Promise<void>;
}

/**
 * Writes the per-minute figures every `intervalMs`. A failed write is logged and repeated on the next
 * tick with the same minutes: these rows are for analysts, so they never stop the engine.
 */
export function startStatsFlusher(stats: MinuteStats, write: (rows: MinuteRows, writtenMs: number) => Promise<void>, intervalMs: number, logger: Logger, now: () => number): StatsFlusher {
  let running: Promise<void> = Promise.resolve();
  const flush = (): Promise<void> => {
    running = running.then(async () => {
      try {
        await write(stats.rows(), now());
        stats.written();
      } catch (error) {
        logger.warn({ err: describeError(error) }, 'writing per-minute engine figures failed; retrying on the next flush');
      }
    });
    return running;
  };
  const timer = setInterval(() => void flush(), intervalMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await flush();
    },
  };
}
