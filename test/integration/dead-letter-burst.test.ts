import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identifier } from '../../src/adapters/clickhouse/sql.ts';
import { createKafka } from '../../src/adapters/kafka/client.ts';
import { createLogger } from '../../src/adapters/log/pino.ts';
import { produce } from '../helpers/produce.ts';
import { startTestEngine, stopTestEngine, type TestEngine } from '../helpers/test-engine.ts';
import { waitFor } from '../helpers/wait-for.ts';

/** Invalid records of ~5 KB from one client (one key, so one partition): ~10 MB, many record batches' worth. */
const BURST = 2000;
const RECORD_BYTES = 5000;

describe('a burst of large invalid records', () => {
  let running: Partial<TestEngine> = {};

  beforeAll(async () => {
    // Larger fetches (a throughput setting) make larger micro-batches, and so larger dead-letter batches.
    running = await startTestEngine('dlq_burst', { STREAMREC_KAFKA_MAX_BYTES_PER_PARTITION: String(8 * 1024 * 1024) });
  });

  afterAll(async () => {
    await stopTestEngine(running);
  });

  it('dead-letters every record, to ClickHouse and the dead-letter topic, and the engine keeps running', async () => {
    const { config, engine, clickhouse } = running as TestEngine;
    const records = Array.from({ length: BURST }, (_, i) => ({ key: 'one-client', value: `not json ${i} ${'x'.repeat(RECORD_BYTES)}` }));
    await produce(config, records, 100);
    const table = `${identifier(config.clickhouse.database)}.dead_letters`;
    const count = async (): Promise<number> => {
      const rows = await (await clickhouse.query({ query: `SELECT count() AS n FROM ${table} WHERE reason = 'REC_DECODE'`, format: 'JSONEachRow' })).json<{ n: string }>();
      return Number(rows[0]?.n ?? 0);
    };
    const admin = createKafka(config.kafka, createLogger({ level: 'fatal' })).admin();
    await admin.connect();
    const published = async (): Promise<number> => (await admin.fetchTopicOffsets(config.kafka.deadLetterTopic)).reduce((sum, o) => sum + Number(o.high) - Number(o.low), 0);
    const stopped = engine.done.then(() => true);
    const hasStopped = (): Promise<boolean> => Promise.race([stopped, Promise.resolve(false)]);
    try {
      // Both sinks, or the engine's stop: the table and the topic are written one after the other.
      const sinks = async (): Promise<{ stored: number; published: number; stopped: boolean }> => ({ stored: await count(), published: await published(), stopped: await hasStopped() });
      const last = await waitFor(sinks, (v) => v.stopped || (v.stored >= BURST && v.published >= BURST), { what: 'every record of the burst dead-lettered', timeoutMs: 60_000 });
      expect(last).toEqual({ stored: BURST, published: BURST, stopped: false });
    } finally {
      await admin.disconnect();
    }
  });
});
