import { RecError } from '../../errors.ts';

/** Runs one Redis command, translating any client error into a retriable `REC_REDIS` naming `what`. */
export async function redisCall<T>(fn: () => Promise<T>, what: string): Promise<T> {
  try {
    return await fn();
  } catch (cause) {
    throw new RecError('REC_REDIS', `Redis ${what} failed`, { retriable: true, cause });
  }
}
