import { afterEach, describe, expect, it, vi } from 'vitest';
import { ScrapedOps } from '../../../../src/adapters/metrics/scrape-ops.ts';

const exposition = (events: number): string =>
  [
    `rec_events_valid_total ${events}`,
    'rec_feeds_written_total{owner="session"} 40',
    'rec_feeds_written_total{owner="user"} 2',
    'rec_freshness_seconds_bucket{from="ingest_time",le="0.1"} 50',
    'rec_freshness_seconds_bucket{from="ingest_time",le="1"} 100',
    'rec_freshness_seconds_bucket{from="ingest_time",le="+Inf"} 100',
    'rec_freshness_seconds_count{from="ingest_time"} 100',
  ].join('\n');

describe('ScrapedOps (the demo ops panel, from the engine /metrics)', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('derives throughput from two scrapes at least a second apart, and freshness quantiles from the histogram', async () => {
    let events = 1000;
    vi.stubGlobal('fetch', async () => new Response(exposition(events)));
    let now = 10_000;
    const ops = new ScrapedOps('http://engine/metrics', 500, 1000, () => now);
    const first = await ops.figures();
    expect(first).toMatchObject({ eventsPerSecond: null, eventsTotal: 1000, feedsWrittenTotal: 42, freshnessP50Ms: 100 });
    events = 3000;
    now += 2000;
    expect((await ops.figures()).eventsPerSecond).toBe(1000);
    // A poll sooner than a second keeps the last rate instead of dividing noise by a short interval.
    events = 3100;
    now += 100;
    expect((await ops.figures()).eventsPerSecond).toBe(1000);
  });

  it('reports nulls, not an error, when the engine does not answer', async () => {
    vi.stubGlobal('fetch', async () => {
      throw new Error('ECONNREFUSED');
    });
    const figures = await new ScrapedOps('http://engine/metrics').figures();
    expect(figures).toMatchObject({ eventsPerSecond: null, freshnessP99Ms: null, source: 'http://engine/metrics (unreachable)' });
  });
});
