/** Candidate sources a feed item can come from. */
export type CandidateSource = 'session_knn' | 'covisit' | 'history' | 'model' | 'query' | 'trending_category' | 'trending' | 'daypart' | 'content' | 'profile' | 'cross_sell' | 'cf' | 'rule' | 'popular' | 'new';

/** Kinds of explanation a feed item can carry (see src/domain/reasons.ts for when each is said). */
export type ReasonType = 'promoted' | 'viewed' | 'viewed_earlier' | 'bought_together' | 'searched' | 'trending_category' | 'popular' | 'new';

/**
 * Why an item is in a list, computed by the engine when it builds the list, so the evidence held at
 * that moment: the item it came through, the support of a pair, the rank in a trending list.
 */
export interface Reason {
  readonly type: ReasonType;
  readonly evidence: Readonly<Record<string, string | number>>;
  /** A shopper-facing sentence. */
  readonly text: string;
}

export interface FeedItem {
  readonly item_id: string;
  readonly score: number;
  /** The source that contributed most to the item's score. */
  readonly source: CandidateSource;
  /** Absent in lists written before reasons existed; readers fall back to a generic reason. */
  readonly reason?: Reason;
  /** The item's category as the engine last saw it, for filtering at read time; absent when unknown. */
  readonly category_id?: string;
}

/** The JSON value stored under a feed key in Redis. */
export interface Feed {
  readonly items: readonly FeedItem[];
  /** Wall-clock time the list was computed (epoch ms). */
  readonly generated_at: number;
  /** Event time of the newest event the list reflects (epoch ms). */
  readonly event_ts: number;
  /** Feed format version. */
  readonly version: 1;
  /** Version of the state/model that produced the list. */
  readonly model_version: string;
  /** Experiment arm the list was served under (`engine.variant`). */
  readonly variant: string;
  readonly recommendation_id: string;
}

/** Who a feed is for: a session or a known user. */
export type FeedOwner = { readonly kind: 'session'; readonly id: string } | { readonly kind: 'user'; readonly id: string };

export interface FeedWrite {
  readonly owner: FeedOwner;
  readonly feed: Feed;
  /** Ingest time (epoch ms) of the newest event behind this list, for freshness. */
  readonly ingestedAt: number;
}

/** The public id of a feed: `s:<session_id>` or `u:<user_id>`. */
export function feedIdOf(owner: FeedOwner): string {
  return `${owner.kind === 'session' ? 's' : 'u'}:${owner.id}`;
}
