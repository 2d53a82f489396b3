import type { ClickHouseClient } from '@clickhouse/client';
import { Kafka, Partitioners, logLevel, type Producer } from 'kafkajs';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/config.ts';
import type { BehaviourEvent } from '../../src/domain/event.ts';
import type { Feed } from '../../src/domain/feed.ts';
import type { RunningEngine } from '../../src/engine.ts';
import { asRecord, produce } from '../helpers/produce.ts';
import { startTestEngine, stopTestEngine } from '../helpers/test-engine.ts';
import { waitFor } from '../helpers/wait-for.ts';

const T0 = Date.UTC(2026, 0, 14, 9);
const PAIRS = 20;
const ROUNDS = 12;

const quantile = (sorted: readonly number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;

describe('shopper profiles across devices (real Kafka, Redis, ClickHouse)', () => {
  let config: Config;
  let engine: RunningEngine;
  let redis: Redis;
  let clickhouse: ClickHouseClient;
  let producer: Producer;

  beforeAll(async () => {
    // Trending counts at once, so the busy items fill device B's list as soon as the training is read.
    ({ config, engine, redis, clickhouse } = await startTestEngine('profiles', { STREAMREC_CANDIDATES_EXPLORE_SHARE: '0', STREAMREC_CANDIDATES_FEED_SIZE: '20', STREAMREC_CANDIDATES_TRENDING_HOLD_MS: '0' }));
    producer = new Kafka({ brokers: [...config.kafka.brokers], logLevel: logLevel.NOTHING }).producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
  });

  afterAll(async () => {
    await producer?.disconnect();
    await stopTestEngine({ config, engine, redis, clickhouse });
  });

  it('shows an event of device A in the same shopper’s feeds, and merges it into their session on device B', async () => {
    // Shoppers who view p<k> go on to q<k>; thirty busier items t<j> fill any list with nothing better.
    const events: BehaviourEvent[] = [];
    let n = 0;
    let ts = T0;
    const view = (session: string, item: string, user?: string): BehaviourEvent => ({ event_id: `pf-${(n += 1)}`, type: 'view', ts: (ts += 1000), session_id: session, item_id: item, ...(user === undefined ? {} : { user_id: user }) });
    for (let k = 0; k < PAIRS; k += 1) for (let s = 0; s < 3; s += 1) events.push(view(`pq${k}-${s}`, `p${k}`), view(`pq${k}-${s}`, `q${k}`));
    for (let j = 0; j < 30; j += 1) for (let s = 0; s < 8; s += 1) events.push(view(`busy${j}-${s}`, `t${j}`));
    await produce(config, events.map(asRecord));
    const feedOf = async (id: string): Promise<Feed | null> => JSON.parse((await redis.get(`${config.redis.keyPrefix}feed:${id}`)) ?? 'null') as Feed | null;
    await waitFor(() => feedOf(`s:${events.at(-1)?.session_id ?? ''}`), (feed) => feed?.event_ts === events.at(-1)?.ts, { what: 'training served' });

    // Device B: the shopper browses a busy item; nothing of the p/q pairs is in that list.
    const onB = view('dev-b', 't0', 'shopper');
    await produce(config, [asRecord(onB)]);
    const before = await waitFor(() => feedOf('s:dev-b'), (feed) => feed?.event_ts === onB.ts, { what: 'device B served' });
    expect(before?.items.some((item) => item.item_id.startsWith('q'))).toBe(false);

    // Device A: each round the shopper views p<k>; the user feed (read by every device) must lead with q<k>.
    const latencies: number[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const onA = view('dev-a', `p${round}`, 'shopper');
      const sent = performance.now();
      await producer.send({ topic: config.kafka.eventsTopic, acks: -1, messages: [asRecord(onA)] });
      const feed = await waitFor(() => feedOf('u:shopper'), (f) => f?.event_ts === onA.ts, { what: `user feed after round ${round}`, intervalMs: 2, timeoutMs: 10_000 });
      latencies.push(performance.now() - sent);
      expect(feed?.items.slice(0, 3).map((item) => item.item_id)).toContain(`q${round}`);
    }

    // Device B's next list is built with what the shopper did on device A.
    const next = view('dev-b', 't1', 'shopper');
    await produce(config, [asRecord(next)]);
    const after = await waitFor(() => feedOf('s:dev-b'), (feed) => feed?.event_ts === next.ts, { what: 'device B served again' });
    const fromA = after?.items.filter((item) => item.item_id.startsWith('q') || item.item_id.startsWith('p')) ?? [];
    // Labelled by their strongest source: the profile, except where a weak profile score loses to popularity.
    expect(fromA.filter((item) => item.source === 'profile').length).toBeGreaterThanOrEqual(3);
    expect(fromA.some((item) => item.reason?.type === 'viewed_earlier' && item.reason.evidence['item_id'] === `p${ROUNDS - 1}`)).toBe(true);
    // An anonymous session doing the same on device B gets none of it.
    const anonymous = view('dev-c', 't1');
    await produce(config, [asRecord(anonymous)]);
    const stranger = await waitFor(() => feedOf('s:dev-c'), (feed) => feed?.event_ts === anonymous.ts, { what: 'anonymous session served' });
    expect(stranger?.items.some((item) => item.item_id.startsWith('q') || item.item_id.startsWith('p'))).toBe(false);

    const sorted = [...latencies].sort((a, b) => a - b);
    process.stdout.write(`device A event → user feed in Redis, ${ROUNDS} rounds: p50 ${quantile(sorted, 0.5).toFixed(1)} ms, max ${quantile(sorted, 1).toFixed(1)} ms (from the producer's send)\n`);
  });
});
