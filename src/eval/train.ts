import { noopMetrics } from '../adapters/memory/metrics.ts';
import type { Config } from '../config/config.ts';
import type { CandidateState } from '../domain/candidate-state.ts';
import type { BehaviourEvent } from '../domain/event.ts';
import { createLogger } from '../adapters/log/pino.ts';
import { startModel } from '../runtime/model-runtime.ts';
import { replayThroughPipeline } from './replay-pipeline.ts';
import type { ItemUpdate } from '../domain/item-update.ts';
import { itemCategories, readTrainSessions } from './srgnn-data.ts';
import { attackTarget, botClicks, type AbuseWatch, type Attack } from './bots.ts';

/** A bot attack injected into the training stream, watched batch by batch. */
export interface AttackPlan {
  readonly attack: Attack;
  readonly watch: AbuseWatch;
  /** Training sessions in the folder (the attack starts after `attack.at` of them). */
  readonly totalSessions: number;
}


/**
 * Synthetic clock for session files without timestamps: events 30 s apart, sessions 40 s after the
 * previous one ended. Time only moves forward in file order, so no training event is ever late.
 */
export const EVAL_T0 = Date.UTC(2016, 0, 1);
const SESSION_GAP_MS = 40_000;
const EVENT_GAP_MS = 30_000;

export interface TrainResult {
  readonly state: CandidateState;
  readonly sessions: number;
  readonly events: number;
  readonly seconds: number;
  /** Item → number of training events (for popularity, coverage and fill). */
  readonly counts: ReadonlyMap<string, number>;
  readonly feedsWritten: number;
  /** Event time the test prefixes are scored at: just after the last training session (they follow it). */
  readonly testTs: number;
  readonly rankerUpdates: number;
  /** The model's backend and stats when the model is enabled. */
  readonly model: { readonly backend: string; readonly training: 'worker' | 'inline'; readonly version: string; readonly items: number; readonly rolledBack: number; readonly skippedNonFinite: number; readonly bytes: number } | null;
}

async function* trainingRecords(
  dir: string,
  counts: Map<string, number>,
  onSession: (events: number, lastTs: number) => void,
  inject?: { readonly afterSessions: number; readonly events: (ts: number) => readonly BehaviourEvent[] },
  categories?: ReadonlyMap<string, string> | null,
): AsyncGenerator<Buffer> {
  let n = 0;
  let ts = EVAL_T0;
  for await (const items of readTrainSessions(dir)) {
    if (inject !== undefined && n === inject.afterSessions) {
      const injected = inject.events(ts + SESSION_GAP_MS);
      for (const event of injected) yield Buffer.from(JSON.stringify(event));
      ts = Math.max(ts, injected.at(-1)?.ts ?? ts);
    }
    ts += SESSION_GAP_MS - EVENT_GAP_MS;
    for (let k = 0; k < items.length; k += 1) {
      const item = items[k] ?? '';
      counts.set(item, (counts.get(item) ?? 0) + 1);
      ts += EVENT_GAP_MS;
      // A storefront sends the item's category with each event; so does the replay when the folder has them.
      const category = categories?.get(item);
      const event: BehaviourEvent = { event_id: `t${n}-${k}`, type: 'view', ts, session_id: `t${n}`, item_id: item, ...(category === undefined ? {} : { category_id: category }) };
      yield Buffer.from(JSON.stringify(event));
    }
    n += 1;
    onSession(items.length, ts);
  }
}

/**
 * Streams the training sessions through the production pipeline (decode → session windows → learn →
 * feeds → sinks → acknowledge), with an in-process source and sinks instead of Kafka, Redis and
 * ClickHouse, and returns the learned state.
 */
export async function trainOnline(
  dir: string,
  config: Config,
  onProgress: (sessions: number, events: number) => void,
  attack?: AttackPlan,
): Promise<TrainResult> {
  const model = await startModel(config.model, noopMetrics(), createLogger({ level: 'warn' }, 'eval'));
  const counts = new Map<string, number>();
  let sessions = 0;
  let events = 0;
  let lastTs = EVAL_T0;
  // Item categories beside the sessions become the catalogue, for the content candidates.
  const categories = await itemCategories(dir);
  const inject =
    attack === undefined
      ? undefined
      : {
          afterSessions: Math.floor(attack.attack.at * attack.totalSessions),
          events: (ts: number): readonly BehaviourEvent[] => {
            const target = attackTarget(counts, categories);
            const category = categories?.get(target) ?? null;
            attack.watch.started(target, category);
            return botClicks(attack.attack, target, category, ts);
          },
        };
  const records = trainingRecords(
    dir,
    counts,
    (size, ts) => {
      sessions += 1;
      events += size;
      lastTs = ts;
      if (sessions % 2000 === 0) onProgress(sessions, events);
    },
    inject,
    categories,
  );
  const catalogue = categories === null ? [] : [...categories].map(([item, category]): ItemUpdate => ({ item_id: item, ts: EVAL_T0, category_id: category }));
  const { state, seconds, feedsWritten } = await replayThroughPipeline(records, config, {
    batchSize: 500,
    model,
    catalogue,
    ...(attack === undefined ? {} : { onBatch: (batch, learned) => attack.watch.onBatch(batch, learned) }),
  });
  onProgress(sessions, events);
  return {
    state,
    sessions,
    events,
    seconds,
    counts,
    feedsWritten,
    testTs: lastTs + SESSION_GAP_MS,
    rankerUpdates: state.recommender.ranker.updates,
    model:
      model === null
        ? null
        : {
            backend: model.backend,
            training: model.training,
            version: model.model.modelVersion,
            items: model.model.size,
            rolledBack: model.model.stats.rolledBack,
            skippedNonFinite: model.model.stats.skippedNonFinite,
            bytes: model.model.bytes,
          },
  };
}
