import type { DeadLetter, IngestedEvent } from '../src/domain/event.ts';
import type { IngestedItemUpdate } from '../src/domain/item-update.ts';
import type { FeedWrite } from '../src/domain/feed.ts';
import type { SessionFeatures } from '../src/domain/session-features.ts';
import type { RecommendRequest } from '../src/domain/recommender/recommender.ts';
import type { ServedScore } from '../src/domain/served-evaluation.ts';
import type { SessionState } from '../src/domain/session-state.ts';
import type { SourceBatch } from '../src/ports/event-source.ts';
import type { IntentWrite } from '../src/ports/state-store.ts';
import type { Observation } from '../src/domain/state-delta.ts';
import type { HeldCount } from '../src/domain/trending-hold.ts';

/** A source batch split into valid events and dead letters. */
export interface DecodedBatch {
  readonly source: SourceBatch;
  readonly events: readonly IngestedEvent[];
  readonly deadLetters: readonly DeadLetter[];
}

/** A valid, on-time event applied to its session, with what the session looked like just before it. */
export interface AppliedEvent {
  readonly ingested: IngestedEvent;
  /** The session up to (not including) this event: what a list shown right before it was built from. */
  readonly before: RecommendRequest;
  /** Item ids of the list the session was last served before this event (empty if none). */
  readonly served: readonly string[];
}

export interface WindowedBatch extends DecodedBatch {
  readonly applied: readonly AppliedEvent[];
  readonly lateCount: number;
  /**
   * Sessions touched by this batch (each once), with their state after the batch. A session that ended
   * within the batch is still here, so its final features and feed are written.
   */
  readonly touchedSessions: ReadonlyMap<string, SessionState>;
  /** Known users touched by this batch (each once). */
  readonly touchedUsers: ReadonlySet<string>;
  readonly evicted: { readonly inactive: number; readonly capacity: number };
  /** Sessions this batch caught as bots (absent: none); their earlier trending counts are dropped. */
  readonly flagged?: readonly string[];
  /** Events of bot sessions in this batch, by why the session was taken for one (absent: none). */
  readonly botEvents?: ReadonlyMap<'rate' | 'repeat', number>;
  /** What the batch taught the shared state (set by learnCandidates; shared with other processes). */
  readonly learned?: { readonly observations: readonly Observation[]; readonly counts: readonly HeldCount[] };
}

/** A windowed batch with the online evaluation of the lists served before its events. */
export interface ScoredBatch extends WindowedBatch {
  readonly online: ServedScore;
}

export interface FeedBatch extends ScoredBatch {
  readonly features: readonly SessionFeatures[];
  readonly feeds: readonly FeedWrite[];
  /** Search intent lists changed by this batch (absent: none). */
  readonly intents?: readonly IntentWrite[];
}

/** A source batch of the item-updates topic split into valid updates and dead letters. */
export interface DecodedItemBatch {
  readonly source: SourceBatch;
  readonly updates: readonly IngestedItemUpdate[];
  readonly deadLetters: readonly DeadLetter[];
}

/** Item updates after the catalogue took them: how many were new, changed or older than what it held. */
export interface AppliedItemBatch extends DecodedItemBatch {
  readonly outcomes: { readonly new: number; readonly updated: number; readonly stale: number };
}
