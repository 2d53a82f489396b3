import { describe, expect, it } from 'vitest';
import { MinuteStats } from '../../../src/runtime/minute-stats.ts';
import { teeMetrics } from '../../../src/runtime/tee-metrics.ts';
import { RecordingMetrics } from '../helpers/fakes.ts';

const MINUTE = 60_000;
const T = Date.UTC(2026, 10, 25, 12, 0, 0);

describe('MinuteStats', () => {
  it('sums counters, takes freshness quantiles and lag per wall-clock minute', () => {
    let now = T + 5_000;
    const stats = new MinuteStats('engine-1', () => 'v1', () => now);
    stats.eventsConsumed(0, 90);
    stats.eventsValid(80);
    stats.eventsInvalid('REC_SCHEMA', 10);
    stats.batchSize();
    stats.feedsWritten('session', 7);
    for (let i = 1; i <= 100; i += 1) stats.freshness('event_time', i / 100);
    stats.consumerLag('t', 0, 5);
    stats.consumerLag('t', 1, 3);
    stats.consumerLag('t', 0, 4);
    stats.sinkWrite('redis', 0.1, false);
    stats.onlineEvaluation(10, 4, 1.5);
    stats.modelUpdate('applied', 2, 1);
    stats.modelUpdate('applied', 4, 2);
    stats.modelUpdate('non-finite', null, 2);
    now = T + MINUTE + 1;
    stats.eventsValid(1);

    const { engineMetrics, evaluations } = stats.rows();
    const first = Object.fromEntries(engineMetrics.filter((r) => r.minute === T).map((r) => [r.metric, r.value]));
    expect(first).toMatchObject({ events_consumed: 90, events_valid: 80, events_invalid: 10, batches: 1, feeds_written: 7, consumer_lag: 7, sink_errors: 1, events_late: 0 });
    expect(first['freshness_event_p50_seconds']).toBeCloseTo(0.51, 5);
    expect(first['freshness_event_p99_seconds']).toBeCloseTo(1, 5);
    // No ingest-time samples: no row rather than a made-up zero.
    expect(first['freshness_ingest_p50_seconds']).toBeUndefined();
    expect(engineMetrics.every((r) => r.instance === 'engine-1')).toBe(true);
    expect(evaluations).toEqual([
      { minute: T, instance: 'engine-1', model_version: 'v1', predictions: 10, hits_at_20: 4, reciprocal_rank_sum: 1.5, model_updates: 3, model_loss_sum: 6, model_loss_count: 2 },
      { minute: T + MINUTE, instance: 'engine-1', model_version: 'v1', predictions: 0, hits_at_20: 0, reciprocal_rank_sum: 0, model_updates: 0, model_loss_sum: 0, model_loss_count: 0 },
    ]);
  });

  it('keeps unconfirmed minutes and drops closed ones once written', () => {
    let now = T;
    const stats = new MinuteStats('i', () => 'v', () => now);
    stats.eventsValid(1);
    now = T + MINUTE;
    stats.eventsValid(2);
    expect(new Set(stats.rows().evaluations.map((r) => r.minute))).toEqual(new Set([T, T + MINUTE]));
    stats.written();
    expect(stats.rows().evaluations.map((r) => r.minute)).toEqual([T + MINUTE]);
    stats.eventsValid(3);
    expect(stats.rows().engineMetrics.find((r) => r.metric === 'events_valid')?.value).toBe(5);
  });

  it('keeps a bounded, uniform sample of freshness', () => {
    const stats = new MinuteStats('i', () => 'v', () => T);
    for (let i = 0; i < 100_000; i += 1) stats.freshness('ingest_time', i % 1000);
    const p50 = stats.rows().engineMetrics.find((r) => r.metric === 'freshness_ingest_p50_seconds')?.value ?? -1;
    expect(p50).toBeGreaterThan(430);
    expect(p50).toBeLessThan(570);
  });
});

describe('teeMetrics', () => {
  it('forwards every call to every target, in order', () => {
    const a = new RecordingMetrics();
    const b = new RecordingMetrics();
    const tee = teeMetrics(a, b);
    tee.eventsValid(3);
    tee.onlineEvaluation(1, 1, 1);
    tee.consumerLag('t', 2, 9);
    for (const target of [a, b]) {
      expect(target.calls).toEqual([
        { name: 'eventsValid', args: [3] },
        { name: 'onlineEvaluation', args: [1, 1, 1] },
        { name: 'consumerLag', args: ['t', 2, 9] },
      ]);
    }
  });
});
