import { describeError, isRecError } from '../errors.ts';
import type { Logger } from '../ports/logger.ts';

export interface RetryPolicy {
  readonly retries: number;
  readonly baseMs: number;
  readonly maxMs: number;
}

/**
 * Runs `fn`, retrying retriable RecErrors with capped exponential backoff. Anything else, or the last
 * failure, is rethrown: the engine then stops without committing, and a restart redelivers.
 */
export async function withRetry<T>(what: string, fn: () => Promise<T>, policy: RetryPolicy, logger: Logger): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await fn();
    } catch (error) {
      const retriable = isRecError(error) && error.retriable;
      if (!retriable || attempt >= policy.retries) throw error;
      const delay = Math.min(policy.maxMs, policy.baseMs * 2 ** attempt);
      logger.warn({ what, attempt: attempt + 1, retries: policy.retries, delayMs: delay, err: describeError(error) }, 'retrying');
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
