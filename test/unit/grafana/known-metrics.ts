import { PrometheusMetrics } from '../../../src/adapters/metrics/prometheus.ts';

/** Series Prometheus adds to every scrape target itself. */
const SCRAPE_SERIES = ['up', 'scrape_duration_seconds', 'scrape_samples_scraped'];

/**
 * Every series name the engine's /metrics can expose, as PromQL sees it: histograms and summaries as
 * their `_bucket`, `_sum` and `_count` series. `engineOnly` leaves out prom-client's Node defaults.
 */
export async function knownSeries({ engineOnly = false } = {}): Promise<{ series: Set<string>; metrics: string[] }> {
  const registry = new PrometheusMetrics(!engineOnly).registry;
  const all = await registry.getMetricsAsJSON();
  const series = new Set<string>(engineOnly ? [] : SCRAPE_SERIES);
  for (const metric of all) {
    const type = String(metric.type);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) series.add(metric.name + suffix);
    else if (type === 'summary') for (const suffix of ['', '_sum', '_count']) series.add(metric.name + suffix);
    else series.add(metric.name);
  }
  return { series, metrics: all.map((m) => m.name) };
}
