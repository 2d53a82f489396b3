import { Observable, type MonoTypeOperatorFunction } from 'rxjs';
import { feedIdOf, type FeedWrite } from '../../src/domain/feed.ts';
import type { SessionFeatures } from '../../src/domain/session-features.ts';
import type { IntentWrite, StateWrites } from '../../src/ports/state-store.ts';
import type { FeedBatch } from '../types.ts';

export interface WriteStateOptions {
  /** Most keys (feeds + sessions) one coalesced write may carry; later batches wait for the next write. */
  readonly maxKeys: number;
}

/**
 * Writes batches' features and feeds to the serving store with at most one write in flight. Batches that
 * arrive while a write is in flight are coalesced into the next one, per key (the newest list of a
 * session wins), so a stream of small fetches costs one round trip per write instead of one per batch,
 * and a newer list for a key can never be overtaken by an older one. Batches are emitted in arrival
 * order, each once the write that carried it was acknowledged.
 *
 * @example feeds$.pipe(writeState((writes) => redis.write(writes), { maxKeys: 5000 }))
 */
export function writeState(write: (writes: StateWrites) => Promise<void>, options: WriteStateOptions): MonoTypeOperatorFunction<FeedBatch> {
  return (source) =>
    new Observable<FeedBatch>((subscriber) => {
      let pending: FeedBatch[] = [];
      let writing = false;
      let sourceDone = false;
      const next = (): void => {
        if (writing) return;
        if (pending.length === 0) {
          if (sourceDone) subscriber.complete();
          return;
        }
        const { group, writes } = take(pending, options.maxKeys);
        pending = pending.slice(group.length);
        if (writes.features.length === 0 && writes.feeds.length === 0 && writes.intents === undefined) {
          for (const batch of group) subscriber.next(batch);
          next();
          return;
        }
        writing = true;
        write(writes).then(
          () => {
            writing = false;
            for (const batch of group) subscriber.next(batch);
            next();
          },
          (error: unknown) => subscriber.error(error),
        );
      };
      const subscription = source.subscribe({
        next: (batch) => {
          pending.push(batch);
          next();
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => {
          sourceDone = true;
          next();
        },
      });
      return () => subscription.unsubscribe();
    });
}

/** The leading batches that fit in `maxKeys` (at least one), and their writes with one value per key. */
function take(pending: readonly FeedBatch[], maxKeys: number): { group: FeedBatch[]; writes: StateWrites } {
  const features = new Map<string, SessionFeatures>();
  const feeds = new Map<string, FeedWrite>();
  const intents = new Map<string, IntentWrite>();
  const group: FeedBatch[] = [];
  for (const batch of pending) {
    if (group.length > 0 && features.size + feeds.size + batch.features.length + batch.feeds.length > maxKeys) break;
    group.push(batch);
    for (const f of batch.features) features.set(f.session_id, f);
    for (const f of batch.feeds) feeds.set(feedIdOf(f.owner), f);
    for (const i of batch.intents ?? []) intents.set(i.key, i);
  }
  return { group, writes: { features: [...features.values()], feeds: [...feeds.values()], ...(intents.size === 0 ? {} : { intents: [...intents.values()] }) } };
}
