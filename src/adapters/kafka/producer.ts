import { CompressionTypes, Partitioners, type Admin, type Kafka, type Message, type PartitionMetadata, type Producer } from 'kafkajs';
import { RecError } from '../../errors.ts';
import type { EventPublisher, OutgoingMessage } from '../../ports/event-publisher.ts';

/**
 * Publishes with acks from all in-sync replicas, in order. Not idempotent at the Kafka level on purpose:
 * kafkajs requires unlimited retries for that, which would hang a caller through an outage; a retried
 * send may duplicate a record, and the sinks deduplicate by event id.
 *
 * Each request carries one partition: kafkajs 2.2.4 was seen to drop records of a multi-partition
 * send() silently when a partition leader moved mid-request (a broker died), acknowledging the rest.
 * Records are placed by the same murmur2 key partitioner kafkajs uses, so keys land where they would.
 */
export class KafkaPublisher implements EventPublisher {
  private readonly producer: Producer;
  private readonly admin: Admin;
  private readonly partitioner = Partitioners.DefaultPartitioner();
  private readonly topicPartitions = new Map<string, Promise<PartitionMetadata[]>>();
  private connected: Promise<void> | null = null;

  /** `metadataMaxAgeMs`: kafka.metadataMaxAgeMs (how soon a send finds a partition's new leader). */
  constructor(kafka: Kafka, metadataMaxAgeMs = 2000) {
    this.admin = kafka.admin();
    this.producer = kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      metadataMaxAge: metadataMaxAgeMs,
    });
  }

  /** Connects now (otherwise the first publish does): a server calls it at start so no request pays for it. */
  connect(): Promise<void> {
    this.connected ??= Promise.all([this.producer.connect(), this.admin.connect()]).then(() => undefined, (cause: unknown) => {
      this.connected = null;
      throw new RecError('REC_KAFKA', 'cannot connect the Kafka producer', { retriable: true, cause });
    });
    return this.connected;
  }

  async publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await this.connect();
    try {
      const partitionMetadata = await this.partitionsOf(topic);
      const byPartition = new Map<number, Message[]>();
      for (const m of messages) {
        const message: Message = { key: m.key, value: m.value, ...(m.headers === undefined ? {} : { headers: { ...m.headers } }) };
        const partition = this.partitioner({ topic, partitionMetadata, message });
        const list = byPartition.get(partition);
        if (list === undefined) byPartition.set(partition, [message]);
        else list.push(message);
      }
      for (const [partition, list] of byPartition) {
        await this.producer.send({ topic, acks: -1, compression: CompressionTypes.None, messages: list.map((message) => ({ ...message, partition })) });
      }
    } catch (cause) {
      // kafkajs may keep sending to a dead partition leader on stale metadata (tulios/kafkajs#950):
      // the next publish starts from fresh connections and metadata.
      this.topicPartitions.delete(topic);
      await this.close().catch(() => undefined);
      throw new RecError('REC_KAFKA', `cannot publish ${messages.length} messages to ${topic}`, { retriable: true, cause });
    }
  }

  /** The topic's partitions (looked up once; again after a failed publish, in case partitions were added). */
  private partitionsOf(topic: string): Promise<PartitionMetadata[]> {
    let known = this.topicPartitions.get(topic);
    if (known === undefined) {
      known = this.admin.fetchTopicMetadata({ topics: [topic] }).then((metadata) => metadata.topics[0]?.partitions ?? []);
      this.topicPartitions.set(topic, known);
    }
    return known;
  }

  async close(): Promise<void> {
    if (this.connected !== null) await Promise.all([this.producer.disconnect(), this.admin.disconnect()]);
    this.connected = null;
  }
}
