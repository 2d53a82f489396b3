import type { Config } from '../config/config.ts';
import type { BehaviourEvent } from '../domain/event.ts';
import { normalizeQuery, queryTokens } from '../domain/query-intent.ts';
import { ONLINE_K } from '../domain/served-evaluation.ts';
import { QUERY_ACTIVE_MS } from '../domain/session-state.ts';
import { replayThroughPipeline } from './replay-pipeline.ts';
import type { SearchLog } from './search-logs.ts';

/** Hit rate and MRR at 20 of the clicks of one slice. */
export interface ClickScore {
  readonly clicks: number;
  readonly hr20: number;
  readonly mrr20: number;
  /**
   * Percent of the clicks any list could have held: on an item the stream had shown in some event
   * before, and (with `candidates.excludeCurrentItem`) not the item the session was on. A log-only
   * recommender's HR@20 ceiling.
   */
  readonly reachable: number;
}

/** Clicks made while a search was active, by what was known about its query when the list was served. */
export interface IntentSlices {
  /** Every click with an active search. */
  readonly afterSearch: ClickScore;
  /** The normalised query had been followed by an item event before. */
  readonly seenQuery: ClickScore;
  /** An unseen query of which at least one token had been seen. */
  readonly unseenKnownTokens: ClickScore;
  /** An unseen query with no known token. */
  readonly unseenUnknown: ClickScore;
}

export interface SearchEvalResult {
  readonly name: string;
  readonly events: number;
  readonly searches: number;
  readonly without: IntentSlices;
  readonly with: IntentSlices;
  readonly seconds: number;
  /** Sessions of the log, and those the engine took for bots (their events are neither scored nor learned from). */
  readonly sessions: number;
  readonly sessionsFlaggedAsBots: number;
}

type SliceName = keyof IntentSlices;

class Tally {
  private readonly sums = new Map<SliceName, { clicks: number; hits: number; rr: number; reachable: number }>();

  add(slice: SliceName, rank: number, reachable: boolean): void {
    const sum = this.sums.get(slice) ?? { clicks: 0, hits: 0, rr: 0, reachable: 0 };
    sum.clicks += 1;
    if (reachable) sum.reachable += 1;
    if (rank >= 0 && rank < ONLINE_K) {
      sum.hits += 1;
      sum.rr += 1 / (rank + 1);
    }
    this.sums.set(slice, sum);
  }

  result(): IntentSlices {
    const score = (slice: SliceName): ClickScore => {
      const sum = this.sums.get(slice) ?? { clicks: 0, hits: 0, rr: 0, reachable: 0 };
      const pct = (x: number): number => (sum.clicks === 0 ? 0 : Math.round((10_000 * x) / sum.clicks) / 100);
      return { clicks: sum.clicks, hr20: pct(sum.hits), mrr20: pct(sum.rr), reachable: pct(sum.reachable) };
    };
    return { afterSearch: score('afterSearch'), seenQuery: score('seenQuery'), unseenKnownTokens: score('unseenKnownTokens'), unseenUnknown: score('unseenUnknown') };
  }
}

/**
 * What an independent observer knows of queries, in stream order: each session's newest search, and
 * which queries and tokens were followed by an item event in their session (what the engine learns from).
 */
class QueryObserver {
  private readonly active = new Map<string, { text: string; ts: number }>();
  private readonly queries = new Set<string>();
  private readonly tokens = new Set<string>();
  private readonly items = new Set<string>();
  private readonly current = new Map<string, string>();

  constructor(private readonly excludeCurrentItem: boolean) {}

  /** Whether any list could hold the click's item (see ClickScore.reachable). */
  reachable(event: BehaviourEvent): boolean {
    if (event.item_id === undefined || !this.items.has(event.item_id)) return false;
    return !(this.excludeCurrentItem && this.current.get(event.session_id) === event.item_id);
  }

  /** The slice of a click, or null when no search is active in its session. */
  sliceOf(event: BehaviourEvent): SliceName | null {
    const query = this.active.get(event.session_id);
    if (query === undefined || event.ts - query.ts > QUERY_ACTIVE_MS) return null;
    if (this.queries.has(query.text)) return 'seenQuery';
    return queryTokens(query.text).some((token) => this.tokens.has(token)) ? 'unseenKnownTokens' : 'unseenUnknown';
  }

  apply(event: BehaviourEvent): void {
    if (event.item_id !== undefined) {
      this.items.add(event.item_id);
      this.current.set(event.session_id, event.item_id);
    }
    if (event.type === 'search' && event.query !== undefined) {
      this.active.set(event.session_id, { text: normalizeQuery(event.query), ts: event.ts });
      return;
    }
    const query = this.active.get(event.session_id);
    if (event.item_id === undefined || query === undefined || event.ts - query.ts > QUERY_ACTIVE_MS) return;
    this.queries.add(query.text);
    for (const token of queryTokens(query.text)) this.tokens.add(token);
  }
}

async function* records(events: readonly BehaviourEvent[]): AsyncGenerator<Buffer> {
  for (const event of events) yield Buffer.from(JSON.stringify(event));
}

/** One replay: every click scored against the list its session was served just before it. */
async function replay(log: SearchLog, config: Config): Promise<{ slices: IntentSlices; seconds: number; sessions: number; flagged: number }> {
  const tally = new Tally();
  const observer = new QueryObserver(config.candidates.excludeCurrentItem);
  const sessions = new Set<string>();
  const flagged = new Set<string>();
  const { seconds } = await replayThroughPipeline(records(log.events), config, {
    batchSize: 1,
    onBatch: (batch) => {
      for (const { event, bot } of batch.events) {
        sessions.add(event.session_id);
        if (bot !== undefined) flagged.add(event.session_id);
      }
      for (const { ingested, served } of batch.applied) {
        const event = ingested.event;
        // A click with no list served before it counts as a miss.
        if (event.type === 'click' && event.item_id !== undefined) {
          const slice = observer.sliceOf(event);
          if (slice !== null) {
            const rank = served.indexOf(event.item_id);
            const reachable = observer.reachable(event);
            tally.add('afterSearch', rank, reachable);
            tally.add(slice, rank, reachable);
          }
        }
        observer.apply(event);
      }
    },
  });
  return { slices: tally.result(), seconds, sessions: sessions.size, flagged: flagged.size };
}

/**
 * Search intent on a real search log: the log is replayed through the production pipeline (one event
 * per micro-batch, so each click meets the list served right before it) twice, with and without
 * `candidates.queryIntent`, and every click made while a search was active is scored.
 */
export async function evaluateSearchIntent(log: SearchLog, config: (intent: boolean) => Config): Promise<SearchEvalResult> {
  const without = await replay(log, config(false));
  const withIntent = await replay(log, config(true));
  return {
    name: log.name,
    events: log.events.length,
    searches: log.events.filter((event) => event.type === 'search').length,
    without: without.slices,
    with: withIntent.slices,
    seconds: Math.round((without.seconds + withIntent.seconds) * 10) / 10,
    sessions: withIntent.sessions,
    sessionsFlaggedAsBots: withIntent.flagged,
  };
}
