import type { OpsFigures, OpsSource } from '../../ports/ops-source.ts';
import { histogramQuantile, parsePrometheus, sum } from './prom-text.ts';

/**
 * Ops figures from the engine's own /metrics: throughput is the change of `rec_events_valid_total`
 * between two scrapes (at least `minIntervalMs` apart, so the panel's polling does not turn noise into
 * rates), freshness the ingest→Redis histogram. Scrapes are bounded by `timeoutMs`.
 */
export class ScrapedOps implements OpsSource {
  private previous: { at: number; events: number } | null = null;
  private rate: number | null = null;

  constructor(
    private readonly url: string,
    private readonly timeoutMs = 500,
    private readonly minIntervalMs = 1000,
    private readonly now: () => number = Date.now,
  ) {}

  async figures(): Promise<OpsFigures> {
    const at = this.now();
    const response = await fetch(this.url, { signal: AbortSignal.timeout(this.timeoutMs) }).catch(() => null);
    if (response === null || !response.ok) {
      return { eventsPerSecond: null, eventsTotal: null, feedsWrittenTotal: null, freshnessP50Ms: null, freshnessP99Ms: null, source: `${this.url} (unreachable)`, at };
    }
    const samples = parsePrometheus(await response.text());
    const events = sum(samples, 'rec_events_valid_total');
    if (this.previous === null || at - this.previous.at >= this.minIntervalMs) {
      if (this.previous !== null) this.rate = Math.max(0, ((events - this.previous.events) * 1000) / (at - this.previous.at));
      this.previous = { at, events };
    }
    const quantile = (q: number): number | null => {
      const seconds = histogramQuantile(samples, 'rec_freshness_seconds', q, { from: 'ingest_time' });
      return seconds === null ? null : Math.round(seconds * 1000);
    };
    return {
      eventsPerSecond: this.rate === null ? null : Math.round(this.rate),
      eventsTotal: events,
      feedsWrittenTotal: sum(samples, 'rec_feeds_written_total'),
      freshnessP50Ms: quantile(0.5),
      freshnessP99Ms: quantile(0.99),
      source: this.url,
      at,
    };
  }
}
