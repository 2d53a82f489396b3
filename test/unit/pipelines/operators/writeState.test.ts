import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { writeState } from '../../../../pipelines/operators/writeState.ts';
import type { FeedBatch } from '../../../../pipelines/types.ts';
import { feedIdOf, type FeedWrite } from '../../../../src/domain/feed.ts';
import { NO_SCORE } from '../../../../src/domain/served-evaluation.ts';
import type { StateWrites } from '../../../../src/ports/state-store.ts';
import { T0, decodedBatch, event } from '../../helpers/events.ts';
import { deferred, settle, type Deferred } from '../../helpers/fakes.ts';

function feed(session: string, item: string): FeedWrite {
  return {
    owner: { kind: 'session', id: session },
    ingestedAt: T0,
    feed: { items: [{ item_id: item, score: 1, source: 'covisit' }], generated_at: T0, event_ts: T0, version: 1, model_version: 'v', variant: 'default', recommendation_id: `${session}-${item}` },
  };
}

/** A batch writing these feeds (and no session features). */
function batch(name: string, feeds: readonly FeedWrite[]): FeedBatch & { readonly name: string } {
  return {
    ...decodedBatch([event()]),
    name,
    applied: [],
    lateCount: 0,
    touchedSessions: new Map(),
    touchedUsers: new Set(),
    evicted: { inactive: 0, capacity: 0 },
    online: NO_SCORE,
    features: [],
    feeds,
  };
}

function harness(maxKeys = 100) {
  const calls: { writes: StateWrites; done: Deferred<void> }[] = [];
  const input = new Subject<FeedBatch & { readonly name: string }>();
  const emitted: string[] = [];
  const state: { error: unknown; completed: boolean } = { error: undefined, completed: false };
  input
    .pipe(
      writeState(
        (writes) => {
          const done = deferred();
          calls.push({ writes, done });
          return done.promise;
        },
        { maxKeys },
      ),
    )
    .subscribe({
      next: (b) => emitted.push((b as FeedBatch & { readonly name: string }).name),
      error: (error: unknown) => (state.error = error),
      complete: () => (state.completed = true),
    });
  const written = (i: number): string[] => (calls[i]?.writes.feeds ?? []).map((w) => `${feedIdOf(w.owner)}=${w.feed.items[0]?.item_id ?? ''}`);
  return { input, calls, emitted, state, written };
}

describe('writeState', () => {
  it('coalesces batches that arrive during a write into one write, newest list per key, emitted in order once acknowledged', async () => {
    const h = harness();
    h.input.next(batch('a', [feed('s1', 'x')]));
    expect(h.calls).toHaveLength(1);
    h.input.next(batch('b', [feed('s1', 'y'), feed('s2', 'z')]));
    h.input.next(batch('c', [feed('s1', 'w')]));
    expect(h.calls).toHaveLength(1);
    expect(h.emitted).toEqual([]);

    h.calls[0]?.done.resolve();
    await settle();
    expect(h.emitted).toEqual(['a']);
    expect(h.calls).toHaveLength(2);
    expect(h.written(1).sort()).toEqual(['s:s1=w', 's:s2=z']);

    h.calls[1]?.done.resolve();
    await settle();
    expect(h.emitted).toEqual(['a', 'b', 'c']);
  });

  it('writes search intent lists too, the newest list per key when coalescing', async () => {
    const h = harness();
    const list = (item: string) => ({ items: [[item, 1]] as [string, number][], categories: [] });
    h.input.next({ ...batch('a', []), intents: [{ key: 'q:tv', list: list('t1') }] });
    expect(h.calls).toHaveLength(1);
    h.input.next({ ...batch('b', []), intents: [{ key: 'q:tv', list: list('t2') }, { key: 't:tv', list: list('t2') }] });
    h.input.next({ ...batch('c', []), intents: [{ key: 'q:tv', list: list('t3') }] });
    h.calls[0]?.done.resolve();
    await settle();
    expect(h.calls[1]?.writes.intents?.map((i) => `${i.key}=${i.list.items[0]?.[0] ?? ''}`).sort()).toEqual(['q:tv=t3', 't:tv=t2']);
    h.calls[1]?.done.resolve();
    await settle();
    expect(h.emitted).toEqual(['a', 'b', 'c']);
  });

  it('lets a batch with nothing to write through at once when idle, but never past a batch still being written', async () => {
    const h = harness();
    h.input.next(batch('empty-1', []));
    expect(h.emitted).toEqual(['empty-1']);
    expect(h.calls).toHaveLength(0);
    h.input.next(batch('a', [feed('s1', 'x')]));
    h.input.next(batch('empty-2', []));
    expect(h.emitted).toEqual(['empty-1']);
    h.calls[0]?.done.resolve();
    await settle();
    expect(h.emitted).toEqual(['empty-1', 'a', 'empty-2']);
    expect(h.calls).toHaveLength(1);
  });

  it('splits coalesced writes at maxKeys, never splitting a batch', async () => {
    const h = harness(3);
    h.input.next(batch('a', [feed('s1', 'x')]));
    h.input.next(batch('b', [feed('s2', 'x'), feed('s3', 'x')]));
    h.input.next(batch('c', [feed('s4', 'x'), feed('s5', 'x')]));
    h.input.next(batch('d', [feed('s6', 'x'), feed('s7', 'x'), feed('s8', 'x'), feed('s9', 'x')]));
    h.calls[0]?.done.resolve();
    await settle();
    expect(h.written(1)).toEqual(['s:s2=x', 's:s3=x']);
    h.calls[1]?.done.resolve();
    await settle();
    expect(h.written(2)).toEqual(['s:s4=x', 's:s5=x']);
    h.calls[2]?.done.resolve();
    await settle();
    // A batch larger than maxKeys still goes, alone.
    expect(h.written(3)).toHaveLength(4);
    h.calls[3]?.done.resolve();
    await settle();
    expect(h.emitted).toEqual(['a', 'b', 'c', 'd']);
  });

  it('completes only after the last write was acknowledged', async () => {
    const h = harness();
    h.input.next(batch('a', [feed('s1', 'x')]));
    h.input.next(batch('b', [feed('s2', 'x')]));
    h.input.complete();
    expect(h.state.completed).toBe(false);
    h.calls[0]?.done.resolve();
    await settle();
    expect(h.state.completed).toBe(false);
    h.calls[1]?.done.resolve();
    await settle();
    expect(h.emitted).toEqual(['a', 'b']);
    expect(h.state.completed).toBe(true);
  });

  it('fails with the write error and emits none of the batches that write carried', async () => {
    const h = harness();
    h.input.next(batch('a', [feed('s1', 'x')]));
    const failure = new Error('redis down');
    h.calls[0]?.done.reject(failure);
    await settle();
    expect(h.state.error).toBe(failure);
    expect(h.emitted).toEqual([]);
  });
});
