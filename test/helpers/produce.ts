import { Kafka, Partitioners, logLevel } from 'kafkajs';
import type { Config } from '../../src/config/config.ts';
import type { BehaviourEvent } from '../../src/domain/event.ts';

export type Outgoing = { readonly key: string | null; readonly value: string | Buffer | null };

/** Produces raw records to the test's events topic, keyed as given. */
export async function produce(config: Config, records: readonly Outgoing[]): Promise<void> {
  const kafka = new Kafka({ brokers: [...config.kafka.brokers], logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  for (let i = 0; i < records.length; i += 500) {
    await producer.send({ topic: config.kafka.eventsTopic, acks: -1, messages: records.slice(i, i + 500).map((r) => ({ key: r.key, value: r.value })) });
  }
  await producer.disconnect();
}

export const asRecord = (event: BehaviourEvent): Outgoing => ({ key: event.session_id, value: JSON.stringify(event) });
