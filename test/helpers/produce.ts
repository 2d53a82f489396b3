import { Kafka, Partitioners, logLevel } from 'kafkajs';
import type { Config } from '../../src/config/config.ts';
import type { BehaviourEvent } from '../../src/domain/event.ts';

export type Outgoing = { readonly key: string | null; readonly value: string | Buffer | null };

/**
 * Produces raw records to the test's events topic (or `topic`), keyed as given, `perSend` records per request
 * (Kafka hands a consumer whole record batches, so this also bounds the batches a consumer sees).
 */
export async function produce(config: Config, records: readonly Outgoing[], perSend = 500, topic = config.kafka.eventsTopic): Promise<void> {
  const kafka = new Kafka({ brokers: [...config.kafka.brokers], logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  for (let i = 0; i < records.length; i += perSend) {
    await producer.send({ topic, acks: -1, messages: records.slice(i, i + perSend).map((r) => ({ key: r.key, value: r.value })) });
  }
  await producer.disconnect();
}

export const asRecord = (event: BehaviourEvent): Outgoing => ({ key: event.session_id, value: JSON.stringify(event) });
