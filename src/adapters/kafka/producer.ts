import { CompressionTypes, Partitioners, type Kafka, type Producer } from 'kafkajs';
import { RecError } from '../../errors.ts';
import type { EventPublisher, OutgoingMessage } from '../../ports/event-publisher.ts';

/**
 * Publishes with acks from all in-sync replicas, in order. Not idempotent at the Kafka level on purpose:
 * kafkajs requires unlimited retries for that, which would hang a caller through an outage; a retried
 * send may duplicate a record, and the sinks deduplicate by event id.
 */
export class KafkaPublisher implements EventPublisher {
  private readonly producer: Producer;
  private connected: Promise<void> | null = null;

  constructor(kafka: Kafka) {
    this.producer = kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
  }

  /** Connects now (otherwise the first publish does): a server calls it at start so no request pays for it. */
  connect(): Promise<void> {
    this.connected ??= this.producer.connect().catch((cause: unknown) => {
      this.connected = null;
      throw new RecError('REC_KAFKA', 'cannot connect the Kafka producer', { retriable: true, cause });
    });
    return this.connected;
  }

  async publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await this.connect();
    try {
      await this.producer.send({
        topic,
        acks: -1,
        compression: CompressionTypes.None,
        messages: messages.map((m) => ({
          key: m.key,
          value: m.value,
          ...(m.headers === undefined ? {} : { headers: { ...m.headers } }),
        })),
      });
    } catch (cause) {
      throw new RecError('REC_KAFKA', `cannot publish ${messages.length} messages to ${topic}`, { retriable: true, cause });
    }
  }

  async close(): Promise<void> {
    if (this.connected !== null) await this.producer.disconnect();
    this.connected = null;
  }
}
