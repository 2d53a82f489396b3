import { Partitioners, type Kafka } from 'kafkajs';
import type { BehaviourEvent } from '../src/domain/event.ts';
import { loadDiginetica } from '../src/replay/diginetica.ts';

/** Diginetica-derived events in time order: raw views and purchases first, then SR-GNN sessions. */
export async function benchEvents(dataDir: string, limit: number): Promise<readonly BehaviourEvent[]> {
  const loaded = await loadDiginetica({ dataDir, sources: ['views', 'purchases', 'sessions'], limit, shiftToNow: true, now: Date.now() });
  return loaded.events;
}

export interface ProduceOptions {
  /** Events per second; 0 = as fast as the broker acknowledges. */
  readonly rate: number;
  /** Stamp each event with the wall clock at the moment it is sent (for end-to-end freshness). */
  readonly stampNow: boolean;
  /** Suffix for event ids, so the same events can be produced again as new ones. */
  readonly idSuffix: string;
}

/** Produces `events` keyed by session, in chunks of 10 ms worth at the target rate. */
export async function produceEvents(kafka: Kafka, topic: string, events: readonly BehaviourEvent[], options: ProduceOptions): Promise<{ seconds: number }> {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const started = Date.now();
  const chunk = options.rate === 0 ? 2000 : Math.max(1, Math.round(options.rate / 100));
  try {
    for (let i = 0; i < events.length; i += chunk) {
      if (options.rate > 0) {
        const due = started + (i / options.rate) * 1000;
        const wait = due - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      }
      const now = Date.now();
      const messages = events.slice(i, i + chunk).map((event) => {
        const sent: BehaviourEvent = { ...event, event_id: `${event.event_id}${options.idSuffix}`, ...(options.stampNow ? { ts: now } : {}) };
        return { key: event.session_id, value: JSON.stringify(sent) };
      });
      await producer.send({ topic, acks: -1, messages });
    }
  } finally {
    await producer.disconnect();
  }
  return { seconds: (Date.now() - started) / 1000 };
}
