/** Prints README's metrics table from the prom-client registry (`npx tsx scripts/docs/metrics-table.ts`). */
import { PrometheusMetrics } from '../../src/adapters/metrics/prometheus.ts';

export async function metricsTable(): Promise<string> {
  const metrics = new PrometheusMetrics(false);
  const all = await metrics.registry.getMetricsAsJSON();
  const labels = (name: string): string => {
    const metric = metrics.registry.getSingleMetric(name) as unknown as { labelNames?: readonly string[] } | undefined;
    return (metric?.labelNames ?? []).join(', ');
  };
  const rows = all.map((m) => `| \`${m.name}\` | ${m.type} | ${labels(m.name)} | ${m.help} |`);
  return ['| metric | type | labels | meaning |', '|---|---|---|---|', ...rows, '| `rec_process_*`, `rec_nodejs_*` | various | | prom-client defaults with the `rec_` prefix: CPU, RSS (`rec_process_resident_memory_bytes`), heap (`rec_nodejs_heap_size_used_bytes`), event-loop lag (`rec_nodejs_eventloop_lag_p99_seconds`), GC |'].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) process.stdout.write(`${await metricsTable()}\n`);
