import { feedIdOf, type FeedOwner } from '../../domain/feed.ts';

/**
 * Every Redis key the engine writes, in one place. Feeds: `<prefix>feed:s:<session_id>` and
 * `<prefix>feed:u:<user_id>`; session features: `<prefix>session:<session_id>` (a hash).
 */
export class RedisKeys {
  constructor(readonly prefix: string) {}

  feed(owner: FeedOwner): string {
    return `${this.prefix}feed:${feedIdOf(owner)}`;
  }

  feedById(id: string): string {
    return `${this.prefix}feed:${id}`;
  }

  session(sessionId: string): string {
    return `${this.prefix}session:${sessionId}`;
  }

  /** Pattern matching every feed key (for SCAN). */
  feedPattern(): string {
    return `${this.prefix}feed:*`;
  }
}
