import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KafkaPublisher } from '../../src/adapters/kafka/producer.ts';
import type { Config } from '../../src/config/config.ts';
import type { BehaviourEvent } from '../../src/domain/event.ts';
import type { FeedItem } from '../../src/domain/feed.ts';
import type { Rule } from '../../src/domain/rules.ts';
import { startEngineWithApi, type EngineWithApi } from '../helpers/engine-api.ts';
import { asRecord, produce, type Outgoing } from '../helpers/produce.ts';
import { waitFor } from '../helpers/wait-for.ts';

const KEY = 'rules-test-key';
const T0 = Date.UTC(2026, 0, 22, 9);

describe('business rules and stock (real Kafka, Redis, ClickHouse)', () => {
  let running: EngineWithApi | undefined;
  let config: Config;
  let app: FastifyInstance;
  let publisher: KafkaPublisher;

  beforeAll(async () => {
    running = await startEngineWithApi('rules', KEY, { STREAMREC_CANDIDATES_TRENDING_HOLD_MS: '0', STREAMREC_CANDIDATES_EXPLORE_SHARE: '0' });
    ({ config, app, publisher } = running);
  });

  afterAll(() => running?.stop());

  it('takes rules and stock changes from their topics within moments, into every list and its reasons', async () => {
    let n = 0;
    let ts = T0;
    const view = (session: string, item: string, category: string): BehaviourEvent => ({ event_id: `ru-${(n += 1)}`, type: 'view', ts: (ts += 1000), session_id: session, item_id: item, category_id: category });
    // Shoppers who view the lamp go on to the bulb, the shade and a hat.
    const training: BehaviourEvent[] = [];
    for (let s = 0; s < 10; s += 1) training.push(view(`t${s}`, 'lamp', 'lights'), view(`t${s}`, 'bulb', 'lights'), view(`t${s}`, 'shade', 'lights'), view(`t${s}`, 'cap', 'hats'));
    await produce(config, training.map(asRecord));
    const feedOf = async (session: string): Promise<FeedItem[]> => {
      const response = await app.inject({ url: `/v1/feeds/s:${session}?n=20`, headers: { 'x-api-key': KEY } });
      return response.statusCode === 200 ? (response.json() as { items: FeedItem[] }).items : [];
    };
    const ids = (items: readonly FeedItem[]): string[] => items.map((item) => item.item_id);
    await produce(config, [asRecord(view('shopper', 'lamp', 'lights'))]);
    const before = await waitFor(() => feedOf('shopper'), (items) => ['bulb', 'shade', 'cap'].every((item) => ids(items).includes(item)), { what: "the shopper's list" });
    expect(ids(before)).not.toContain('poster');

    const send = async (topic: string, records: readonly Outgoing[]): Promise<number> => {
      const at = performance.now();
      await produce(config, records, 500, topic);
      return at;
    };
    // Out of stock: the bulb leaves the list already in Redis, without any new event.
    const stockAt = await send(config.kafka.itemUpdatesTopic, [{ key: 'bulb', value: JSON.stringify({ item_id: 'bulb', ts: T0, stock: 0 }) }]);
    await waitFor(() => feedOf('shopper'), (items) => !ids(items).includes('bulb'), { what: 'bulb out of the list', intervalMs: 5 });
    const stockMs = performance.now() - stockAt;
    // An exclude rule on a category works the same way.
    const rule = (value: Rule): Outgoing => ({ key: value.id, value: JSON.stringify(value) });
    const excludeAt = await send(config.kafka.rulesTopic, [rule({ id: 'no-hats', action: 'exclude', category_id: 'hats' })]);
    await waitFor(() => feedOf('shopper'), (items) => !ids(items).includes('cap'), { what: 'hats out of the list', intervalMs: 5 });
    const excludeMs = performance.now() - excludeAt;

    // A promotion: first place in the next list built, with its label and coupon as the reason.
    const promoteAt = await send(config.kafka.rulesTopic, [rule({ id: 'spring', action: 'promote', item_id: 'poster', position: 1, label: 'Spring sale: 20 % off', coupon: 'SPRING20' })]);
    let step = 0;
    const promoted = await waitFor(
      async () => {
        step += 1;
        await publisher.publish(config.kafka.eventsTopic, [{ key: 'shopper', value: JSON.stringify(view('shopper', step % 2 === 0 ? 'lamp' : 'shade', 'lights')) }]);
        return feedOf('shopper');
      },
      (items) => items[0]?.item_id === 'poster',
      { what: 'the promoted poster first', intervalMs: 20 },
    );
    const promoteMs = performance.now() - promoteAt;
    expect(promoted[0]).toMatchObject({ source: 'rule', reason: { type: 'promoted', text: 'Spring sale: 20 % off', evidence: { rule_id: 'spring', coupon: 'SPRING20' } } });
    expect(ids(promoted)).not.toContain('bulb');
    expect(ids(promoted)).not.toContain('cap');

    // Deleting the rule (a tombstone) ends the promotion; restocking brings the bulb back.
    await send(config.kafka.rulesTopic, [{ key: 'spring', value: null }]);
    await send(config.kafka.itemUpdatesTopic, [{ key: 'bulb', value: JSON.stringify({ item_id: 'bulb', ts: T0 + 1, stock: 5 }) }]);
    await waitFor(
      async () => {
        await publisher.publish(config.kafka.eventsTopic, [{ key: 'shopper', value: JSON.stringify(view('shopper', 'lamp', 'lights')) }]);
        return feedOf('shopper');
      },
      (items) => !ids(items).includes('poster') && ids(items).includes('bulb'),
      { what: 'promotion over, bulb back', intervalMs: 50 },
    );
    process.stdout.write(`rules: out-of-stock item gone from the served list ${stockMs.toFixed(0)} ms after its update was produced; excluded category ${excludeMs.toFixed(0)} ms after its rule; promotion first in the next list ${promoteMs.toFixed(0)} ms after its rule\n`);
  });
});
