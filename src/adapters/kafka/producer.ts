import { CompressionTypes, Partitioners, type Kafka, type Producer } from 'kafkajs';
import { RecError } from '../../errors.ts';
import type { EventPublisher, OutgoingMessage } from '../../ports/event-publisher.ts';

/** Publishes with acks from all in-sync replicas and idempotence, so retries never duplicate in the log. */
export class KafkaPublisher implements EventPublisher {
  private readonly producer: Producer;
  private connected: Promise<void> | null = null;

  constructor(kafka: Kafka) {
    this.producer = kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
  }

  private connect(): Promise<void> {
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
