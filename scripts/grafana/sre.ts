import { dashboard, row, type Dashboard } from './dashboard.ts';
import { RATE, clickHousePanel, promPanel, sql } from './panels.ts';

const quantile = (q: number, metric: string, by: string): string =>
  `histogram_quantile(${q}, sum by (le, ${by}) (rate(${metric}_bucket[${RATE}])))`;

/** The on-call board: is the engine keeping up, is it fresh, is it failing, is it healthy. */
export function sreDashboard(): Dashboard {
  return dashboard(
    {
      uid: 'streamrec-sre',
      title: 'streamrec / SRE',
      description: 'Throughput, lag, freshness, errors and resources of the streamrec engine.',
      tags: ['streamrec', 'sre'],
    },
    [
      row('Flow'),
      promPanel('timeseries', { title: 'Throughput', unit: 'ops', description: 'Records read from Kafka per second, and what became of them: valid events, dead-lettered records, valid events behind the watermark, valid events of sessions taken for bots (stored, not learned from).' }, [
        { expr: `sum(rate(rec_events_consumed_total[${RATE}]))`, legend: 'consumed' },
        { expr: `sum(rate(rec_events_valid_total[${RATE}]))`, legend: 'valid' },
        // The invalid counter has a `reason` label, so it has no series until the first bad record.
        { expr: `sum(rate(rec_events_invalid_total[${RATE}])) or vector(0)`, legend: 'invalid' },
        { expr: `sum(rate(rec_events_late_total[${RATE}]))`, legend: 'late' },
        // Labelled by reason: no series until the first bot.
        { expr: `sum(rate(rec_events_bot_total[${RATE}])) or vector(0)`, legend: 'bot' },
      ]),
      promPanel('timeseries', { title: 'Consumer lag per partition', unit: 'short', description: 'Records between the last fetched offset and the partition end. A line that keeps rising means the engine falls behind on that partition.' }, [
        { expr: 'sum by (topic, partition) (rec_consumer_lag_events)', legend: '{{topic}}/{{partition}}' },
      ]),
      promPanel('timeseries', { title: 'Freshness p50 / p95 / p99', unit: 's', description: 'Time from the event (event_time) or from its Kafka ingest (ingest_time) until its feed is acknowledged by Redis. Replayed historical events have a huge event_time freshness; read ingest_time then.' }, [
        { expr: quantile(0.5, 'rec_freshness_seconds', 'from'), legend: 'p50 {{from}}' },
        { expr: quantile(0.95, 'rec_freshness_seconds', 'from'), legend: 'p95 {{from}}' },
        { expr: quantile(0.99, 'rec_freshness_seconds', 'from'), legend: 'p99 {{from}}' },
      ]),
      promPanel('timeseries', { title: 'Feeds written', unit: 'ops', description: 'Ranked lists written to Redis per second, per owner (session or user).' }, [
        { expr: `sum by (owner) (rate(rec_feeds_written_total[${RATE}]))`, legend: '{{owner}}' },
      ]),
      promPanel('timeseries', { title: 'Catalogue updates', unit: 'ops', description: 'Item updates the catalogue took per second, by outcome: a new item, a change, or older than what it held (stale). Every process reads the whole item-updates topic at start, so a burst after a restart is the catalogue being loaded.' }, [
        // The counter has an `outcome` label, so it has no series until the first update.
        { expr: `sum by (outcome) (rate(rec_item_updates_total[${RATE}])) or vector(0)`, legend: '{{outcome}}' },
      ]),
      row('Errors'),
      promPanel('timeseries', { title: 'Sink errors', unit: 'ops', description: 'Failed sink writes per second, before retry. The zero line per sink comes from its write count, so a healthy sink shows 0 rather than no data.' }, [
        { expr: `sum by (sink) (rate(rec_sink_errors_total[${RATE}])) or sum by (sink) (rate(rec_sink_write_duration_seconds_count[${RATE}])) * 0`, legend: '{{sink}}' },
      ]),
      promPanel('timeseries', { title: 'Dead-lettered records by reason', unit: 'ops', description: 'Records that did not decode into a valid event, per second, by reason (REC_DECODE, REC_SCHEMA, REC_OVERSIZE).' }, [
        { expr: `sum by (reason) (rate(rec_events_invalid_total[${RATE}]))`, legend: '{{reason}}' },
      ]),
      clickHousePanel(
        'table',
        { title: 'Dead letters by reason (ClickHouse)', w: 24, description: 'What the dead-letter table holds for the time range: count, bytes and the latest example per reason and message.' },
        sql`
          SELECT
              reason,
              message,
              count() AS records,
              sum(payload_bytes) AS bytes,
              max(received_time) AS last_seen,
              argMax(substring(payload, 1, 200), (received_ms, kafka_partition, kafka_offset)) AS latest_payload
          FROM dead_letters FINAL
          WHERE $__timeFilter(received_time)
          GROUP BY reason, message
          ORDER BY records DESC
          LIMIT 100
        `,
      ),
      row('Latency'),
      promPanel('timeseries', { title: 'Sink write latency p99', unit: 's', description: 'Slowest 1 % of writes per sink. The engine commits offsets only after Redis and ClickHouse confirm, so this bounds how fast it can go.' }, [
        { expr: quantile(0.99, 'rec_sink_write_duration_seconds', 'sink'), legend: '{{sink}}' },
      ]),
      promPanel('timeseries', { title: 'Stage latency p99', unit: 's', description: 'Slowest 1 % of micro-batches in each pipeline stage (decode, window, learn, model, feeds, redis, analytics).' }, [
        { expr: quantile(0.99, 'rec_stage_duration_seconds', 'stage'), legend: '{{stage}}' },
      ]),
      promPanel('timeseries', { title: 'Micro-batch size', unit: 'short', description: 'Records per micro-batch, median and p99. Batches grow when the engine runs behind, which keeps per-record cost down.' }, [
        { expr: `histogram_quantile(0.5, sum by (le) (rate(rec_batch_events_bucket[${RATE}])))`, legend: 'p50' },
        { expr: `histogram_quantile(0.99, sum by (le) (rate(rec_batch_events_bucket[${RATE}])))`, legend: 'p99' },
      ]),
      promPanel('timeseries', { title: 'Event-loop lag', unit: 's', description: 'Node.js event-loop delay. RxJS stages and the model share one thread, so a long stall here delays every partition.' }, [
        { expr: 'max(rec_nodejs_eventloop_lag_p99_seconds)', legend: 'p99' },
        { expr: 'max(rec_nodejs_eventloop_lag_seconds)', legend: 'last' },
      ]),
      row('Backpressure and state'),
      promPanel('timeseries', { title: 'In-flight events and paused consumer', unit: 'short', description: 'Events read but not yet confirmed by every sink, and 1 while consumption is paused because that buffer is full.' }, [
        { expr: 'sum(rec_inflight_events)', legend: 'in flight' },
        { expr: 'max(rec_consumer_paused)', legend: 'paused' },
      ]),
      promPanel('timeseries', { title: 'Kafka consumer restarts', unit: 'short', description: 'Consumer restarts per interval, by reason: crash (kafkajs restarted it after an error, e.g. a broker lost) or stalled (the engine replaced it: no heartbeat for a session, or no group join within kafka.stallTimeoutMs). A steady climb means the engine cannot stay in its consumer group.' }, [
        { expr: `sum by (reason) (increase(rec_consumer_restarts_total[${RATE}])) or vector(0)`, legend: '{{reason}}' },
      ]),
      promPanel('timeseries', { title: 'Active sessions', unit: 'short', description: 'Live sessions held per partition, and evictions per second by reason. State is bounded: evictions for capacity mean the limit is reached.' }, [
        { expr: 'sum by (partition) (rec_sessions_active)', legend: 'partition {{partition}}' },
        { expr: `sum by (reason) (rate(rec_sessions_evicted_total[${RATE}]))`, legend: 'evicted {{reason}}/s' },
      ]),
      promPanel('timeseries', { title: 'State entries', unit: 'short', description: 'Entries in each bounded state structure; flat lines at a limit are expected, unbounded growth is not.' }, [
        { expr: 'sum by (structure) (rec_state_entries)', legend: '{{structure}}' },
      ]),
      promPanel('timeseries', { title: 'Shared state deltas', unit: 'short', description: "State delta records per second between engine processes (published by this one, applied from the others, skipped as own or already restored), and how long a delta takes from its publisher to being applied: the staleness of the shared state (co-visitation, trending, ranker, model)." }, [
        { expr: `sum by (direction) (rate(rec_state_deltas_total[${RATE}]))`, legend: '{{direction}}/s' },
        { expr: `histogram_quantile(0.5, sum by (le) (rate(rec_state_delta_staleness_seconds_bucket[${RATE}])))`, legend: 'staleness p50 (s)' },
        { expr: `histogram_quantile(0.99, sum by (le) (rate(rec_state_delta_staleness_seconds_bucket[${RATE}])))`, legend: 'staleness p99 (s)' },
      ]),
      promPanel('timeseries', { title: 'Memory', unit: 'bytes', description: 'Resident set size and V8 heap. TensorFlow.js tensors live outside the V8 heap, so RSS growing alone points at leaked tensors.' }, [
        { expr: 'sum(rec_process_resident_memory_bytes)', legend: 'RSS' },
        { expr: 'sum(rec_nodejs_heap_size_used_bytes)', legend: 'heap used' },
        { expr: 'sum(rec_nodejs_heap_size_total_bytes)', legend: 'heap total' },
      ]),
      promPanel('timeseries', { title: 'CPU', unit: 'percentunit', description: 'CPU seconds per second used by the engine process (1 = one core).' }, [
        { expr: `sum(rate(rec_process_cpu_seconds_total[${RATE}]))`, legend: 'cpu' },
      ]),
      promPanel('stat', { title: 'Engine up', unit: 'none', w: 6, description: 'Whether Prometheus could scrape the engine (job streamrec).' }, [
        { expr: 'min(up{job="streamrec"})', legend: 'up' },
      ]),
      promPanel('stat', { title: 'Uptime', unit: 's', w: 6, description: 'Seconds since the engine process started.' }, [
        { expr: 'time() - max(rec_process_start_time_seconds)', legend: 'uptime' },
      ]),
      row('History (ClickHouse)'),
      clickHousePanel(
        'timeseries',
        { title: 'Freshness p99 per minute (ClickHouse)', unit: 's', description: 'The engine writes its own freshness quantiles to engine_metrics every ~10 s, so history outlives Prometheus retention. The worst instance per minute.' },
        sql`
          SELECT minute AS time, metric, max(value) AS seconds
          FROM engine_metrics FINAL
          WHERE $__timeFilter(minute)
            AND metric IN ('freshness_event_p99_seconds', 'freshness_ingest_p99_seconds')
          GROUP BY time, metric
          ORDER BY time
        `,
      ),
      clickHousePanel(
        'timeseries',
        { title: 'Engine counts per minute (ClickHouse)', unit: 'short', description: 'Events consumed, dead-lettered and feeds written per minute, summed over instances, from engine_metrics.' },
        sql`
          SELECT minute AS time, metric, sum(value) AS per_minute
          FROM engine_metrics FINAL
          WHERE $__timeFilter(minute)
            AND metric IN ('events_consumed', 'events_invalid', 'feeds_written')
          GROUP BY time, metric
          ORDER BY time
        `,
      ),
    ],
  );
}
