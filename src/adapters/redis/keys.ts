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

  /** Items no list may show right now (out of stock, excluded by a rule): a set the Feed API filters with. */
  excludedItems(): string {
    return `${this.prefix}excluded:items`;
  }

  /** Categories excluded by a rule right now (a set). */
  excludedCategories(): string {
    return `${this.prefix}excluded:categories`;
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
