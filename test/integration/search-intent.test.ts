import type { ClickHouseClient } from '@clickhouse/client';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/config.ts';
import type { BehaviourEvent } from '../../src/domain/event.ts';
import type { Feed } from '../../src/domain/feed.ts';
import type { IntentList } from '../../src/domain/query-intent.ts';
import type { RunningEngine } from '../../src/engine.ts';
import { asRecord, produce } from '../helpers/produce.ts';
import { startTestEngine, stopTestEngine } from '../helpers/test-engine.ts';
import { waitFor } from '../helpers/wait-for.ts';

const T0 = Date.UTC(2026, 0, 12, 10);

describe('search intent (real Kafka, Redis)', () => {
  let config: Config;
  let engine: RunningEngine;
  let redis: Redis;
  let clickhouse: ClickHouseClient;

  beforeAll(async () => {
    ({ config, engine, redis, clickhouse } = await startTestEngine('search_intent'));
  });

  afterAll(() => stopTestEngine({ config, engine, redis, clickhouse }));

  it('after a search, the session\'s next feed leads with what shoppers took after that query, says so, and the intent lists reach Redis', async () => {
    const events: BehaviourEvent[] = [];
    let n = 0;
    const push = (session: string, ts: number, rest: Partial<BehaviourEvent>): void => void events.push({ event_id: `si-${(n += 1)}`, type: 'view', ts, session_id: session, ...rest });
    // Earlier shoppers: phone browsers who look at cases, and searchers who click a watch.
    for (let s = 0; s < 8; s += 1) {
      const ts = T0 + s * 60_000;
      push(`phones-${s}`, ts, { item_id: 'phone', category_id: 'phones' });
      push(`phones-${s}`, ts + 1000, { item_id: 'case', category_id: 'cases' });
      push(`watch-${s}`, ts, { type: 'search', query: s % 2 === 0 ? 'Smart Watch' : 'smart-watch' });
      push(`watch-${s}`, ts + 2000, { type: 'click', item_id: s < 6 ? 'watch-a' : 'watch-b', category_id: 'watches' });
    }
    await produce(config, events.map(asRecord));
    const shopper = 'shopper-1';
    const later = T0 + 20 * 60_000;
    await produce(config, [asRecord({ event_id: 'si-view', type: 'view', ts: later, session_id: shopper, item_id: 'phone', category_id: 'phones' })]);
    const feedKey = `${config.redis.keyPrefix}feed:s:${shopper}`;
    const read = async (): Promise<Feed | null> => JSON.parse((await redis.get(feedKey)) ?? 'null') as Feed | null;
    const before = await waitFor(read, (feed) => feed?.event_ts === later, { what: 'the feed after the view' });
    expect(before?.items[0]?.item_id).toBe('case');

    await produce(config, [asRecord({ event_id: 'si-search', type: 'search', ts: later + 5000, session_id: shopper, query: 'smart watch' })]);
    const after = await waitFor(read, (feed) => feed?.event_ts === later + 5000, { what: 'the feed after the search' });
    const top = after?.items.map((item) => item.item_id) ?? [];
    // The searched-for watch leads; the other watch shoppers took joins the top 3 next to the strong case.
    expect(top[0]).toBe('watch-a');
    expect(top.slice(0, 3)).toContain('watch-b');
    expect(after?.items[0]?.reason).toEqual({ type: 'searched', evidence: { query: 'smart watch', share: 0.75 }, text: 'Popular after searching "smart watch"' });

    const list = JSON.parse((await redis.get(`${config.redis.keyPrefix}intent:q:smart watch`)) ?? 'null') as IntentList | null;
    expect(list?.items.map(([item]) => item)).toEqual(['watch-a', 'watch-b']);
    expect(JSON.parse((await redis.get(`${config.redis.keyPrefix}intent:t:watch`)) ?? 'null')).not.toBeNull();
  });
});
