import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { enginePipeline, type EnginePipelineDeps } from '../../../pipelines/engine.pipeline.ts';
import type { FeedBatch } from '../../../pipelines/types.ts';
import { CandidateState } from '../../../src/domain/candidate-state.ts';
import type { BehaviourEvent } from '../../../src/domain/event.ts';
import { feedIdOf } from '../../../src/domain/feed.ts';
import { recommendationId } from '../../../src/domain/recommendation-id.ts';
import { SessionWindows } from '../../../src/domain/session-windows.ts';
import type { AnalyticsRows } from '../../../src/ports/analytics-sink.ts';
import type { SourceBatch } from '../../../src/ports/event-source.ts';
import type { StateWrites } from '../../../src/ports/state-store.ts';
import { MINUTE, T0, event, sourceBatch, type FakeSourceBatch } from '../helpers/events.ts';
import { CANDIDATES, RecordingMetrics, deferred, settle, type Deferred } from '../helpers/fakes.ts';

const NOW = T0 + 10 * MINUTE;

function harness(sinks: Partial<Pick<EnginePipelineDeps, 'writeState' | 'appendAnalytics'>> = {}) {
  const stateWrites: StateWrites[] = [];
  const analytics: AnalyticsRows[] = [];
  const metrics = new RecordingMetrics();
  let clock = 0;
  const deps: EnginePipelineDeps = {
    decode: { maxBytes: 4096, payloadBytes: 256 },
    windows: new SessionWindows({ lastItems: 20, maxEventsPerSession: 100, inactivityMs: 30 * MINUTE, allowedLatenessMs: MINUTE, maxSessions: 1000 }),
    candidates: new CandidateState(CANDIDATES),
    feeds: { feedSize: 10, modelVersion: () => 'test-v1', variant: 'default', now: () => NOW, recommendationId },
    writeState:
      sinks.writeState ??
      (async (writes) => {
        stateWrites.push(writes);
      }),
    appendAnalytics:
      sinks.appendAnalytics ??
      (async (rows) => {
        analytics.push(rows);
      }),
    analyticsConcurrency: 4,
    metrics,
    monotonicMs: () => (clock += 1),
    wallMs: () => NOW,
  };
  const input = new Subject<SourceBatch>();
  const emitted: FeedBatch[] = [];
  const result: { error: unknown; completed: boolean } = { error: undefined, completed: false };
  input.pipe(enginePipeline(deps)).subscribe({
    next: (batch) => emitted.push(batch),
    error: (error: unknown) => (result.error = error),
    complete: () => (result.completed = true),
  });
  return { input, emitted, result, stateWrites, analytics, metrics, deps };
}

/** Sinks that hold every call until the test resolves it. */
function heldSinks() {
  const state: { writes: StateWrites; done: Deferred<void> }[] = [];
  const analytics: { rows: AnalyticsRows; done: Deferred<void> }[] = [];
  return {
    state,
    analytics,
    writeState: (writes: StateWrites) => {
      const done = deferred();
      state.push({ writes, done });
      return done.promise;
    },
    appendAnalytics: (rows: AnalyticsRows) => {
      const done = deferred();
      analytics.push({ rows, done });
      return done.promise;
    },
  };
}

const views = (session: string, items: readonly string[], ts: number, extra: Partial<BehaviourEvent> = {}): BehaviourEvent[] =>
  items.map((item, i) => event({ session_id: session, item_id: item, ts: ts + i, ...extra }));

describe('enginePipeline', () => {
  it('hands every record to analytics exactly once, as an event or a dead letter', async () => {
    const h = harness();
    const batches: FakeSourceBatch[] = [
      sourceBatch([...views('s1', ['a', 'b'], T0), null, 'not json', { event_id: 'x', type: 'view' }, ...views('s2', ['c'], T0)], { firstOffset: 0 }),
      sourceBatch([...views('s1', ['d'], T0 + MINUTE), event({ session_id: 's3', ts: T0 - 10 * MINUTE }), 'x'.repeat(5000)], { firstOffset: 6 }),
    ];
    for (const batch of batches) h.input.next(batch);
    await settle();
    expect(h.analytics).toHaveLength(2);
    h.analytics.forEach((rows, i) => {
      const offsets = [...rows.events.map((e) => e.origin.offset), ...rows.deadLetters.map((d) => d.origin.offset)];
      expect(offsets.sort()).toEqual(batches[i]?.records.map((r) => r.offset).sort());
    });
    // The late event still reaches analytics, flagged.
    expect(h.analytics[1]?.events.map((e) => e.late)).toEqual([false, true]);
    expect(h.metrics.of('batchSize')).toEqual([[6], [3]]);
    expect(h.metrics.of('eventsValid')).toEqual([[3], [2]]);
    expect(h.metrics.of('eventsInvalid')).toEqual([
      ['REC_EMPTY', 1],
      ['REC_DECODE', 1],
      ['REC_SCHEMA', 1],
      ['REC_OVERSIZE', 1],
    ]);
    expect(h.metrics.of('eventsLate')).toEqual([[1]]);
    expect(batches.map((b) => b.acks)).toEqual([1, 1]);
    expect(h.emitted).toHaveLength(2);
  });

  it('acknowledges a batch only after both the state write and the analytics append resolved', async () => {
    const sinks = heldSinks();
    const h = harness(sinks);
    const batch = sourceBatch(views('s1', ['a', 'b'], T0));
    h.input.next(batch);
    await settle();
    expect(sinks.state).toHaveLength(1);
    expect(sinks.analytics).toHaveLength(0);
    expect(batch.acks).toBe(0);
    sinks.state[0]?.done.resolve();
    await settle();
    expect(sinks.analytics).toHaveLength(1);
    expect(batch.acks).toBe(0);
    sinks.analytics[0]?.done.resolve();
    await settle();
    expect(batch.acks).toBe(1);
    expect(h.emitted.map((b) => b.source)).toEqual([batch]);
  });

  it('acknowledges each batch on its own analytics completion, never before', async () => {
    const sinks = heldSinks();
    const h = harness(sinks);
    const first = sourceBatch(views('s1', ['a'], T0), { firstOffset: 0 });
    const second = sourceBatch(views('s2', ['b'], T0), { firstOffset: 1 });
    h.input.next(first);
    h.input.next(second);
    await settle();
    sinks.state[0]?.done.resolve();
    await settle();
    sinks.state[1]?.done.resolve();
    await settle();
    expect(sinks.analytics).toHaveLength(2);
    sinks.analytics[1]?.done.resolve();
    await settle();
    expect([first.acks, second.acks]).toEqual([0, 1]);
    sinks.analytics[0]?.done.resolve();
    await settle();
    expect([first.acks, second.acks]).toEqual([1, 1]);
  });

  it('writes features and feeds once per touched session and known user per batch', async () => {
    const h = harness();
    const batch = sourceBatch(
      [...views('s1', ['a', 'b', 'c'], T0, { user_id: 'u1' }), ...views('s2', ['a', 'd'], T0 + 10, { user_id: 'u1' }), ...views('s3', ['e'], T0 + 20)],
      { partition: 3, firstOffset: 50 },
    );
    h.input.next(batch);
    await settle();
    expect(h.stateWrites).toHaveLength(1);
    const writes = h.stateWrites[0];
    expect(writes?.features.map((f) => f.session_id)).toEqual(['s1', 's2', 's3']);
    expect(writes?.features.find((f) => f.session_id === 's1')?.event_count).toBe(3);
    const ids = writes?.feeds.map((f) => feedIdOf(f.owner));
    expect(ids).toEqual(['s:s1', 's:s2', 's:s3', 'u:u1']);
    for (const write of writes?.feeds ?? []) {
      expect(write.feed.recommendation_id).toBe(recommendationId(feedIdOf(write.owner), 3, '55'));
      expect(write.feed.generated_at).toBe(NOW);
      expect(write.feed.model_version).toBe('test-v1');
    }
    expect(writes?.feeds.find((f) => f.owner.id === 's2')?.feed.event_ts).toBe(T0 + 11);
    // Analytics gets the same served lists.
    expect(h.analytics[0]?.recommendations).toEqual(writes?.feeds);
    expect(h.metrics.of('stageSeconds').map(([stage]) => stage)).toEqual(['decode', 'window', 'learn', 'feeds', 'redis', 'analytics']);
  });

  it('errors the stream and does not acknowledge when the state write rejects', async () => {
    const failure = new Error('redis down');
    let appended = 0;
    const h = harness({
      writeState: () => Promise.reject(failure),
      appendAnalytics: async () => {
        appended += 1;
      },
    });
    const batch = sourceBatch(views('s1', ['a'], T0));
    h.input.next(batch);
    await settle();
    expect(h.result.error).toBe(failure);
    expect(batch.acks).toBe(0);
    expect(appended).toBe(0);
    expect(h.emitted).toEqual([]);
  });

  it("builds a session's feed from co-visitation learned in earlier batches", async () => {
    const h = harness();
    h.input.next(
      sourceBatch(
        [...['a1', 'a2', 'a3', 'a4'].flatMap((s) => views(s, ['A', 'B'], T0)), ...views('c1', ['A', 'C'], T0)],
        { firstOffset: 0 },
      ),
    );
    h.input.next(sourceBatch(views('test', ['A'], T0 + MINUTE), { firstOffset: 10 }));
    await settle();
    expect(h.stateWrites).toHaveLength(2);
    const feed = h.stateWrites[1]?.feeds.find((f) => f.owner.id === 'test')?.feed;
    expect(feed?.items.map((i) => i.item_id)).toEqual(['B', 'C']);
    // Both learned sources back B: co-visitation (A→B) and the past session holding A, B.
    expect(['covisit', 'session_knn']).toContain(feed?.items[0]?.source);
    expect(feed?.event_ts).toBe(T0 + MINUTE);
  });
});
