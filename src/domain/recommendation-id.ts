import { createHash } from 'node:crypto';

/**
 * Id of a served list, derived from what produced it (feed, partition, last offset of the batch): a
 * redelivered batch yields the same ids, so the analytics rows it writes replace instead of adding.
 */
export function recommendationId(feedId: string, partition: number, lastOffset: string): string {
  return createHash('sha1').update(`${feedId}|${partition}|${lastOffset}`).digest('base64url').slice(0, 22);
}
