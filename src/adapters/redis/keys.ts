import { feedIdOf, type FeedOwner } from '../../domain/feed.ts';

/**
 * Every Redis key the engine writes, in one place. Feeds: `<prefix>feed:s:<session_id>` and
 * `<prefix>feed:u:<user_id>`; session features: `<prefix>session:<session_id>` (a hash); search intent
 * lists: `<prefix>intent:q:<query>` and `<prefix>intent:t:<token>` (JSON).
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

  /** A search intent list: `<prefix>intent:q:<normalised query>` or `<prefix>intent:t:<token>`. */
  intent(key: string): string {
    return `${this.prefix}intent:${key}`;
  }

  /** Pattern matching every feed key (for SCAN). */
  feedPattern(): string {
    return `${this.prefix}feed:*`;
  }
}
