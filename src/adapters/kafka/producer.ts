import { CompressionTypes, Partitioners, type Admin, type Kafka, type Message, type PartitionMetadata, type Producer } from 'kafkajs';
import { RecError } from '../../errors.ts';
import type { EventPublisher, OutgoingMessage } from '../../ports/event-publisher.ts';
import { kafkaErrorNames } from './error-names.ts';

/**
 * Bytes of records per request. kafkajs sends one partition's messages of a send() as one record batch,
 * and the broker refuses a batch over the topic's max.message.bytes (1 MiB by default): a burst of
 * dead letters (up to 4 KiB of payload each) or one large micro-batch's state deltas would exceed it.
 */
const REQUEST_BYTES = 512 * 1024;

/** Per-record overhead counted on top of key, value and headers (a record's varint fields, generously). */
const RECORD_OVERHEAD = 32;

/** The bytes `message` adds to a record batch, about. */
export function recordBytes(message: Pick<Message, 'key' | 'value' | 'headers'>): number {
  const size = (value: unknown): number => (typeof value === 'string' ? Buffer.byteLength(value) : Buffer.isBuffer(value) ? value.byteLength : 0);
  let bytes = RECORD_OVERHEAD + size(message.key) + size(message.value);
  for (const [name, value] of Object.entries(message.headers ?? {})) bytes += size(name) + size(value);
  return bytes;
}

/** `messages` in order, cut into runs of at most `limit` bytes (a single larger record goes alone). */
export function requestSized<T extends Pick<Message, 'key' | 'value' | 'headers'>>(messages: readonly T[], limit: number): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = recordBytes(message);
    if (current.length > 0 && bytes + size > limit) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(message);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** Broker answers about the records themselves, which no retry changes (Kafka protocol error names). */
const REFUSALS: ReadonlySet<string> = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'INVALID_RECORD']);

/**
 * The Kafka error type when `error` (or an error it wraps, through `cause`) says the broker refused the
 * records as such; null for anything a retry may fix (leader moves, outages, timeouts).
 */
export function refusedRecords(error: unknown): string | null {
  return kafkaErrorNames(error).find((name) => REFUSALS.has(name)) ?? null;
}

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
  private producer: Producer;
  private admin: Admin;
  private readonly partitioner = Partitioners.DefaultPartitioner();
  private readonly topicPartitions = new Map<string, Promise<PartitionMetadata[]>>();
  private connected: Promise<void> | null = null;

  /** `metadataMaxAgeMs`: kafka.metadataMaxAgeMs (how soon a send finds a partition's new leader). */
  constructor(
    private readonly kafka: Kafka,
    private readonly metadataMaxAgeMs = 2000,
  ) {
    this.admin = kafka.admin();
    this.producer = this.newProducer();
  }

  private newProducer(): Producer {
    return this.kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      metadataMaxAge: this.metadataMaxAgeMs,
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
        for (const part of requestSized(list, REQUEST_BYTES)) {
          await this.producer.send({ topic, acks: -1, compression: CompressionTypes.None, messages: part.map((message) => ({ ...message, partition })) });
        }
      }
    } catch (cause) {
      // kafkajs may keep sending to a dead partition leader on stale metadata (tulios/kafkajs#950):
      // the next publish starts from fresh connections and metadata.
      this.topicPartitions.delete(topic);
      await this.close().catch(() => undefined);
      const refused = refusedRecords(cause);
      const reason = refused === null ? '' : ` (the broker refuses these records: ${refused}; retrying cannot help)`;
      throw new RecError('REC_KAFKA', `cannot publish ${messages.length} messages to ${topic}${reason}`, { retriable: refused === null, cause });
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

  /**
   * Disconnects; a later publish connects new clients. Why new ones: kafkajs 2.2.4 clients connected
   * again right after a disconnect were seen to fail every request ("Closed connection", "write after
   * end") until the old sockets had ended, so a publish retried at once after a failure failed again.
   */
  async close(): Promise<void> {
    if (this.connected !== null) await Promise.all([this.producer.disconnect(), this.admin.disconnect()]);
    this.connected = null;
    this.producer = this.newProducer();
    this.admin = this.kafka.admin();
  }
}
