import { map, type OperatorFunction } from 'rxjs';
import type { CandidateState } from '../../src/domain/candidate-state.ts';
import { feedIdOf, type FeedItem, type FeedOwner, type FeedWrite } from '../../src/domain/feed.ts';
import type { RecommendRequest } from '../../src/domain/recommender/recommender.ts';
import type { SessionFeatures } from '../../src/domain/session-features.ts';
import type { SessionLimits } from '../../src/domain/session-state.ts';
import type { FeedBatch, ScoredBatch } from '../types.ts';

export interface BuildFeedsOptions {
  readonly feedSize: number;
  /** Version of the state/model behind a list, read when the list is built. */
  readonly modelVersion: () => string;
  /** Experiment arm written into every list (A/B comparisons in ClickHouse). */
  readonly variant: string;
  /** Wall clock, epoch ms. */
  readonly now: () => number;
  /** Id of a served list; the same inputs must give the same id (idempotent analytics rows). */
  readonly recommendationId: (feedId: string, partition: number, lastOffset: string) => string;
  /**
   * Adds a reason (and the category) to each item from the state the list was just built from
   * (src/domain/reasons.ts); absent: items carry only their category.
   */
  readonly explain?: (items: readonly FeedItem[], request: RecommendRequest) => FeedItem[];
  /**
   * The A/B arm of a list's owner (sticky, src/domain/experiment.ts): its name, written as the list's
   * variant, and how it builds lists. Absent: every list is `variant`, built by the full recommender.
   */
  readonly arm?: (owner: FeedOwner, userId: string | null) => { readonly variant: string; readonly recommend: (request: RecommendRequest, n: number) => FeedItem[] };
}


/** Items published per search intent list. */
const INTENT_ITEMS = 50;

interface Position {
  readonly partition: number;
  readonly lastOffset: string;
}

/**
 * Computes, once per touched session and once per touched known user, the features and the ranked feed
 * that the state store will hold. Coalescing here is what makes "one write per key per micro-batch".
 *
 * @example windowed$.pipe(learnCandidates(state), buildFeeds({ lastItems: 20, maxEventsPerSession: 200 }, state, options))
 */
export function buildFeeds(limits: SessionLimits, state: CandidateState, options: BuildFeedsOptions): OperatorFunction<ScoredBatch, FeedBatch> {
  const full = { variant: options.variant, recommend: (request: RecommendRequest, n: number) => state.recommender.recommend(request, n) };
  const armOf = options.arm ?? (() => full);
  const feed = (owner: FeedOwner, items: FeedWrite['feed']['items'], eventTs: number, ingestedAt: number, at: Position, variant: string): FeedWrite => ({
    owner,
    ingestedAt,
    feed: {
      items,
      generated_at: options.now(),
      event_ts: eventTs,
      version: 1,
      model_version: options.modelVersion(),
      variant,
      recommendation_id: options.recommendationId(feedIdOf(owner), at.partition, at.lastOffset),
    },
  });
  // The category travels with each item so the Feed API can filter at read time without the engine.
  const withCategories = (items: readonly FeedItem[]): FeedItem[] =>
    items.map((item) => {
      const category = state.trending.category(item.item_id);
      return category === undefined ? item : { ...item, category_id: category };
    });
  const explain = options.explain ?? withCategories;
  return map((batch) => {
    const at: Position = { partition: batch.source.partition, lastOffset: batch.source.records.at(-1)?.offset ?? '-1' };
    const features: SessionFeatures[] = [];
    const feeds: FeedWrite[] = [];
    for (const [sessionId, session] of batch.touchedSessions) {
      features.push(session.features(limits));
      const request = state.withProfile(session.request(), session.userId);
      const owner: FeedOwner = { kind: 'session', id: sessionId };
      const arm = armOf(owner, session.userId);
      const items = explain(arm.recommend(request, options.feedSize), request);
      session.served = items.map((item) => item.item_id);
      feeds.push(feed(owner, items, session.lastSeen, session.lastIngestedAt, at, arm.variant));
    }
    for (const userId of batch.touchedUsers) {
      const profile = state.users.get(userId);
      if (profile === undefined) continue;
      const request = {
        sequence: profile.recent.map((entry) => entry.item).reverse(),
        categories: profile.categories,
        purchased: profile.purchased,
        now: profile.lastSeen,
      };
      const owner: FeedOwner = { kind: 'user', id: userId };
      const arm = armOf(owner, userId);
      feeds.push(feed(owner, explain(arm.recommend(request, options.feedSize), request), profile.lastSeen, profile.lastIngestedAt, at, arm.variant));
    }
    // Queries and tokens this batch learned from: their lists go to the store for the API's rerank.
    const intents = state.intent.takeTouched(INTENT_ITEMS);
    return { ...batch, features, feeds, ...(intents.length === 0 ? {} : { intents }) };
  });
}
