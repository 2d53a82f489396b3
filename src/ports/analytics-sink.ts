import type { DeadLetter, IngestedEvent } from '../domain/event.ts';
import type { FeedWrite } from '../domain/feed.ts';
import type { IngestedItemUpdate } from '../domain/item-update.ts';

export interface AnalyticsRows {
  readonly events: readonly IngestedEvent[];
  readonly recommendations: readonly FeedWrite[];
  readonly deadLetters: readonly DeadLetter[];
  /** Item updates taken into the catalogue. */
  readonly items?: readonly IngestedItemUpdate[];
}

/** The analytics store (ClickHouse in production). Batches internally; resolves once rows are stored. */
export interface AnalyticsSink {
  append(rows: AnalyticsRows): Promise<void>;
  /** Writes whatever is buffered now. */
  flush(): Promise<void>;
  close(): Promise<void>;
}
