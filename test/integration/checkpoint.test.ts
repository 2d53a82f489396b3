import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineProcess } from '../../scripts/demo/engine-process.ts';
import type { Config } from '../../src/config/config.ts';
import type { BehaviourEvent } from '../../src/domain/event.ts';
import { endOffsets, ensureTopics } from '../../src/adapters/kafka/admin.ts';
import { createKafka } from '../../src/adapters/kafka/client.ts';
import { createLogger } from '../../src/adapters/log/pino.ts';
import { cleanup } from '../helpers/cleanup.ts';
import { testConfig } from '../helpers/engine-config.ts';
import { asRecord, produce } from '../helpers/produce.ts';
import { waitFor } from '../helpers/wait-for.ts';

const T0 = Date.UTC(2026, 0, 10, 12);
const SESSIONS = 30;
const STEPS = 8;

function session(id: number, from: number): BehaviourEvent[] {
  return Array.from({ length: STEPS }, (_, step) => ({
    event_id: `ck-${id}-${step}`,
    type: 'view' as const,
    ts: from + id * 1000 + step * 100,
    session_id: `ck-s${id}`,
    item_id: `item-${(id * 7 + step * 3) % 40}`,
    category_id: `c${step % 3}`,
  }));
}

describe('checkpoints across a kill -9', () => {
  let config: Config;
  let env: Record<string, string>;
  let dir: string;
  let clickhouse: ClickHouseClient;
  let redis: Redis;
  const engines: EngineProcess[] = [];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'streamrec-ckpt-'));
    // Checkpoints only at clean stops: a periodic one taken by the second process before its kill -9 would
    // leave nothing to rewind past (CI run of e66d41d: the second process checkpointed 240 of 240 records).
    ({ config, env } = testConfig('ckpt', { STREAMREC_ENGINE_CHECKPOINT_DIR: dir, STREAMREC_ENGINE_CHECKPOINT_INTERVAL_MS: '3600000', STREAMREC_LOG_LEVEL: 'info' }));
    clickhouse = createClient({ url: config.clickhouse.url, database: config.clickhouse.database });
    redis = new Redis(config.redis.url);
  });

  afterAll(async () => {
    for (const engine of engines) await engine.kill();
    await redis?.quit();
    await clickhouse?.close();
    if (config !== undefined) await cleanup(config);
    rmSync(dir, { recursive: true, force: true });
  });

  const count = async (sql: string): Promise<number> => {
    try {
      return Number((await (await clickhouse.query({ query: sql, format: 'JSONEachRow' })).json<{ n: string }>())[0]?.n ?? 0);
    } catch (error) {
      // The first engine creates the database at start; until then there is nothing stored (codes 81/60: no database/table).
      if (error instanceof Error && /Code: (81|60)\b/.test(error.message)) return 0;
      throw error;
    }
  };
  /** Records the partition checkpoints cover: the sum of their next offsets (partitions/<topic>/<p>.json). */
  const checkpointed = (): number => {
    const root = join(dir, 'partitions');
    if (!existsSync(root)) return 0;
    let sum = 0;
    for (const topic of readdirSync(root)) {
      // Only finished files: a checkpoint being written leaves `<p>.json.tmp-<pid>` beside them for a moment.
      for (const file of readdirSync(join(root, topic)).filter((name) => /^\d+\.json$/.test(name))) sum += Number((JSON.parse(readFileSync(join(root, topic, file), 'utf8')) as { offset: string }).offset);
    }
    return sum;
  };

  /**
   * Records in the events topic (the sum of its end offsets): the produce helper's kafkajs producer is not
   * idempotent, so a send retried while the topic is being created can hold a record twice.
   */
  const inTopic = async (): Promise<number> => {
    const ends = await endOffsets(createKafka(config.kafka, createLogger({ level: 'error' })), config.kafka.eventsTopic);
    return [...ends.values()].reduce((sum, end) => sum + Number(end), 0);
  };

  it('resumes sessions and learned state from the checkpoint, rewinding past offsets committed after it', async () => {
    // 1. A clean stop writes a checkpoint covering the first sessions.
    // Topics first: a produce racing the engine's topic creation is retried by kafkajs and can land twice.
    await ensureTopics(createKafka(config.kafka, createLogger({ level: 'error' })), config.kafka);
    const first = new EngineProcess(env, join(dir, 'engine-1.log'));
    engines.push(first);
    const early = Array.from({ length: SESSIONS / 2 }, (_, id) => session(id, T0)).flat();
    await produce(config, early.map(asRecord));
    // The first session's records once more, as a produce retried after a lost acknowledgement writes
    // them: the same shopper actions, which must count once (ck-s0 is probed below).
    await produce(config, early.slice(0, STEPS).map(asRecord));
    await waitFor(() => count('SELECT count() AS n FROM events'), (n) => n >= early.length, { what: 'first events stored' });
    expect(await first.stop()).toBe(0);
    const afterFirst = await inTopic();
    expect(afterFirst).toBeGreaterThanOrEqual(early.length);
    expect(checkpointed()).toBe(afterFirst);

    // 2. The next process restores it, stores and commits more sessions, and dies before its next checkpoint.
    const second = new EngineProcess(env, join(dir, 'engine-2.log'));
    engines.push(second);
    const late = Array.from({ length: SESSIONS / 2 }, (_, id) => session(SESSIONS / 2 + id, T0 + 100_000)).flat();
    await produce(config, late.map(asRecord));
    await waitFor(() => count('SELECT count() AS n FROM events'), (n) => n >= early.length + late.length, { what: 'later events stored' });
    await second.kill();
    expect(checkpointed()).toBe(afterFirst);

    // 3. One more step of an early and of a late session; a third process must know both sessions whole.
    const probes: BehaviourEvent[] = [0, SESSIONS - 1].map((id) => ({ event_id: `ck-probe-${id}`, type: 'view', ts: T0 + 300_000 + id, session_id: `ck-s${id}`, item_id: 'item-1', category_id: 'c1' }));
    await produce(config, probes.map(asRecord));
    const restarted = Date.now();
    const third = new EngineProcess(env, join(dir, 'engine-3.log'));
    engines.push(third);
    for (const probe of probes) {
      const features = await waitFor(
        () => redis.hgetall(`${config.redis.keyPrefix}session:${probe.session_id}`),
        (hash) => hash['last_seen'] === String(probe.ts),
        { what: `session ${probe.session_id} updated by the third engine`, timeoutMs: 60_000 },
      );
      expect(Number(features['event_count']), probe.session_id).toBe(STEPS + 1);
      const lastItems = JSON.parse(features['last_items'] ?? '[]') as string[];
      expect(lastItems.at(-1)).toBe(probe.item_id);
      expect(lastItems.length).toBeGreaterThan(1);
    }
    const resumeMs = Date.now() - restarted;
    expect(readFileSync(join(dir, 'engine-3.log'), 'utf8')).toContain('resuming partition from the checkpoint');

    const total = early.length + late.length + probes.length;
    await waitFor(() => count('SELECT uniqExact(event_id) AS n FROM events'), (n) => n >= total, { what: 'probes stored' });
    expect(await count('SELECT count() AS n FROM events FINAL')).toBe(total);
    expect(await count('SELECT uniqExact(event_id) AS n FROM events')).toBe(total);
    const duplicates = (await count('SELECT count() AS n FROM events')) - total;
    expect(await third.stop()).toBe(0);
    expect(checkpointed()).toBe(await inTopic());
    process.stdout.write(`checkpoint restart after kill -9: ${resumeMs} ms from spawn to both probes in Redis; ${duplicates} redelivered rows (replayed from the checkpoint)\n`);
  });
});
