import { firstValueFrom, filter, take, toArray, type Subscription } from 'rxjs';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureTopics } from '../../../src/adapters/kafka/admin.ts';
import { createKafka } from '../../../src/adapters/kafka/client.ts';
import { KafkaEventSource } from '../../../src/adapters/kafka/source.ts';
import { createLogger } from '../../../src/adapters/log/pino.ts';
import { noopMetrics } from '../../../src/adapters/memory/metrics.ts';
import type { Config } from '../../../src/config/config.ts';
import type { SourceBatch } from '../../../src/ports/event-source.ts';
import type { Metrics } from '../../../src/ports/metrics.ts';
import { cleanup } from '../../helpers/cleanup.ts';
import { testConfig } from '../../helpers/engine-config.ts';
import { produce } from '../../helpers/produce.ts';
import { waitFor } from '../../helpers/wait-for.ts';

const logger = createLogger({ level: 'error' });

function recordingMetrics(): Metrics & { paused: boolean[]; inFlight: number[] } {
  const paused: boolean[] = [];
  const inFlight: number[] = [];
  return {
    ...noopMetrics(),
    paused,
    inFlight,
    inFlightEvents: (n) => inFlight.push(n),
    partitionPaused: (p) => paused.push(p),
  };
}

function source(config: Config, metrics: Metrics, maxInFlightEvents: number): KafkaEventSource {
  return new KafkaEventSource(createKafka(config.kafka, logger), config.kafka, { maxInFlightEvents, shutdownTimeoutMs: 2000 }, metrics, logger);
}

describe('KafkaEventSource on the real broker', () => {
  const configs: Config[] = [];
  afterAll(async () => {
    for (const config of configs) await cleanup(config);
  });

  async function setup(label: string, records: number): Promise<Config> {
    const { config } = testConfig(label, { STREAMREC_KAFKA_PARTITIONS: '1', STREAMREC_KAFKA_MAX_BYTES_PER_PARTITION: '2048' });
    configs.push(config);
    await ensureTopics(createKafka(config.kafka, logger), config.kafka);
    await produce(config, Array.from({ length: records }, (_, i) => ({ key: 'k', value: JSON.stringify({ n: i, pad: 'x'.repeat(60) }) })), 10);
    return config;
  }

  it('pauses while too many events are unacknowledged and resumes as they are acknowledged', async () => {
    const config = await setup('bp', 600);
    const metrics = recordingMetrics();
    const src = source(config, metrics, 100);
    const held: SourceBatch[] = [];
    let received = 0;
    const sub: Subscription = src.batches().subscribe((batch) => {
      held.push(batch);
      received += batch.records.length;
    });
    await waitFor(async () => metrics.paused.includes(true), Boolean, { what: 'pause' });
    // Nothing is acknowledged: the source must stop handing out batches.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const whilePaused = received;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(received).toBe(whilePaused);
    expect(received).toBeLessThan(600);
    const largestBatch = Math.max(...held.map((b) => b.records.length));
    expect(largestBatch).toBeLessThan(100);
    expect(received).toBeGreaterThanOrEqual(100);
    expect(received).toBeLessThanOrEqual(100 + 2 * largestBatch);
    // Acknowledge as batches arrive: everything flows.
    const ackAll = async (): Promise<void> => {
      while (held.length > 0) await held.shift()?.ack();
    };
    await ackAll();
    await waitFor(
      async () => {
        await ackAll();
        return received;
      },
      (n) => n >= 600,
      { what: 'all 600 records' },
    );
    expect(metrics.paused.at(-1)).toBe(false);
    sub.unsubscribe();
    await src.stop();
  });

  it('commits only the acknowledged prefix, even when acknowledgements arrive out of order', async () => {
    const config = await setup('commit', 300);
    const first = source(config, recordingMetrics(), 10_000);
    const batches = await firstValueFrom(first.batches().pipe(filter((b) => b.records.length > 0), take(3), toArray()));
    // Ack the third and the first, not the second: only the first batch's offsets may be committed.
    await batches[2]?.ack();
    await batches[0]?.ack();
    await first.stop();
    const resumeAt = batches[1]?.records[0]?.offset;
    const second = source(config, recordingMetrics(), 10_000);
    const next = await firstValueFrom(second.batches());
    expect(next.records[0]?.offset).toBe(resumeAt);
    await next.ack();
    await second.stop();
  });
});
