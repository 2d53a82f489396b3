import { Partitioners, Kafka, logLevel } from 'kafkajs';
import type { Config } from '../../src/config/config.ts';
import type { BehaviourEvent } from '../../src/domain/event.ts';
import type { FeedItem } from '../../src/domain/feed.ts';
import type { Rule } from '../../src/domain/rules.ts';

export interface StrategyDeps {
  readonly config: Config;
  /** Feed API base URL and a key that may read feeds. */
  readonly api: string;
  readonly key: string;
  readonly say: (line: string) => void;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A promotion and a stock-out on a live session through the real topics: the stocked-out item leaves
 * the list the Feed API serves at once, the promotion leads the session's next list with its label.
 * Returns the events it produced (for the count check).
 */
export async function showStrategies(session: string, lastEvent: BehaviourEvent, deps: StrategyDeps): Promise<number> {
  const { config, say } = deps;
  const read = async (): Promise<FeedItem[]> => {
    const response = await fetch(`${deps.api}v1/feeds/s:${session}?n=10`, { headers: { 'x-api-key': deps.key } }).catch(() => null);
    return response?.ok === true ? ((await response.json()) as { items: FeedItem[] }).items : [];
  };
  const before = await read();
  const gone = before[1]?.item_id;
  if (gone === undefined) return 0;
  const kafka = new Kafka({ brokers: [...config.kafka.brokers], clientId: 'streamrec-demo-strategies', logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    say(`• business rules on session ${session}: its list starts ${before.slice(0, 4).map((item) => item.item_id).join(', ')}`);
    const stockAt = Date.now();
    await producer.send({ topic: config.kafka.itemUpdatesTopic, messages: [{ key: gone, value: JSON.stringify({ item_id: gone, ts: Date.now(), stock: 0 }) }] });
    let after = await read();
    for (let i = 0; i < 100 && after.some((item) => item.item_id === gone); i += 1) after = (await sleep(20), await read());
    say(`  item ${gone} out of stock: gone from the served list after ${Date.now() - stockAt} ms, without a new event`);
    const promoted = before.at(-1)?.item_id ?? gone;
    const rule: Rule = { id: 'demo-promotion', action: 'promote', item_id: promoted, position: 1, label: 'Demo sale: 10 % off', coupon: 'DEMO10', ends_ms: Date.now() + 10 * 60_000 };
    const ruleAt = Date.now();
    await producer.send({ topic: config.kafka.rulesTopic, messages: [{ key: rule.id, value: JSON.stringify(rule) }] });
    const next: BehaviourEvent = { ...lastEvent, event_id: `${lastEvent.event_id}-rule`, ts: lastEvent.ts + 1000 };
    await producer.send({ topic: config.kafka.eventsTopic, messages: [{ key: session, value: JSON.stringify(next) }] });
    let lead = await read();
    for (let i = 0; i < 100 && lead[0]?.item_id !== promoted; i += 1) lead = (await sleep(20), await read());
    const first = lead[0];
    say(`  promotion rule for ${promoted}: first in the session's next list ${Date.now() - ruleAt} ms after the rule, reason "${first?.reason?.text ?? '?'}" (coupon ${String(first?.reason?.evidence['coupon'] ?? '?')})`);
    await producer.send({ topic: config.kafka.rulesTopic, messages: [{ key: rule.id, value: null }] });
    return 1;
  } finally {
    await producer.disconnect();
  }
}
