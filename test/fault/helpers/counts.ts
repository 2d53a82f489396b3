import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { Kafka, logLevel } from 'kafkajs';
import { identifier } from '../../../src/adapters/clickhouse/sql.ts';
import type { Config } from '../../../src/config/config.ts';

/** What ClickHouse holds for one test, counted the ways an analyst would. */
export interface StoredCounts {
  /** Rows in events, redeliveries included (until a merge collapses them). */
  readonly rows: number;
  /** uniqExact(event_id) of events. */
  readonly distinct: number;
  /** count() FROM events FINAL. */
  readonly final: number;
  /** rows − distinct: redelivered events stored twice (at-least-once). */
  readonly duplicates: number;
  readonly deadLetterRows: number;
  /** Distinct (kafka_partition, kafka_offset) of dead_letters. */
  readonly deadLetters: number;
  /** Distinct (record_key, payload) of dead_letters: each broken record the replay made is unique. */
  readonly deadLetterPayloads: number;
}

/** Counts in the test's database on the real ClickHouse (never through a fault proxy). */
export class ClickHouseTally {
  private readonly client: ClickHouseClient;
  private readonly db: string;

  constructor(config: Config) {
    // Probes run before the engine created the database; their failures are expected, not log-worthy.
    this.client = createClient({
      url: config.clickhouse.url,
      username: config.clickhouse.username,
      password: config.clickhouse.password,
      log: { level: ClickHouseLogLevel.OFF },
    });
    this.db = identifier(config.clickhouse.database);
  }

  async number(sql: string): Promise<number> {
    const result = await this.client.query({ query: sql, format: 'JSONEachRow' });
    const rows = await result.json<{ n: string | number }>();
    return Number(rows[0]?.n ?? 0);
  }

  async rows<T>(sql: string): Promise<T[]> {
    return (await this.client.query({ query: sql, format: 'JSONEachRow' })).json<T>();
  }

  /** Distinct events plus distinct dead letters: what has been processed at least once. 0 before the tables exist. */
  async processed(): Promise<number> {
    try {
      const events = await this.number(`SELECT uniqExact(event_id) AS n FROM ${this.db}.events`);
      const letters = await this.number(`SELECT uniqExact(kafka_partition, kafka_offset) AS n FROM ${this.db}.dead_letters`);
      return events + letters;
    } catch {
      return 0;
    }
  }

  async counts(): Promise<StoredCounts> {
    const rows = await this.number(`SELECT count() AS n FROM ${this.db}.events`);
    const distinct = await this.number(`SELECT uniqExact(event_id) AS n FROM ${this.db}.events`);
    const final = await this.number(`SELECT count() AS n FROM ${this.db}.events FINAL`);
    const deadLetterRows = await this.number(`SELECT count() AS n FROM ${this.db}.dead_letters`);
    const deadLetters = await this.number(`SELECT uniqExact(kafka_partition, kafka_offset) AS n FROM ${this.db}.dead_letters`);
    const deadLetterPayloads = await this.number(`SELECT uniqExact(record_key, payload) AS n FROM ${this.db}.dead_letters`);
    return { rows, distinct, final, duplicates: rows - distinct, deadLetterRows, deadLetters, deadLetterPayloads };
  }

  /** Kafka positions (partition → offsets) stored in events and dead_letters, each once. */
  async storedOffsets(): Promise<Map<number, Set<number>>> {
    const rows = await this.rows<{ p: number; o: string }>(
      `SELECT kafka_partition AS p, toString(kafka_offset) AS o FROM ${this.db}.events
       UNION ALL SELECT kafka_partition AS p, toString(kafka_offset) AS o FROM ${this.db}.dead_letters`,
    );
    const out = new Map<number, Set<number>>();
    for (const row of rows) {
      const partition = Number(row.p);
      let set = out.get(partition);
      if (set === undefined) {
        set = new Set();
        out.set(partition, set);
      }
      set.add(Number(row.o));
    }
    return out;
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

/** Per partition: the end of the log and the group's committed offset (-1 when none). */
export interface PartitionPosition {
  readonly partition: number;
  readonly high: number;
  readonly committed: number;
}

/** The consumer group's committed offsets against the topic's end offsets. */
export async function groupPositions(config: Config): Promise<PartitionPosition[]> {
  const kafka = new Kafka({ brokers: [...config.kafka.brokers], logLevel: logLevel.NOTHING, retry: { retries: 2 } });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(config.kafka.eventsTopic);
    const [committed] = await admin.fetchOffsets({ groupId: config.kafka.groupId, topics: [config.kafka.eventsTopic] });
    return ends
      .map((end) => ({
        partition: end.partition,
        high: Number(end.high),
        committed: Number(committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? -1),
      }))
      .sort((a, b) => a.partition - b.partition);
  } finally {
    await admin.disconnect();
  }
}

/** Records not yet committed by the group (the lag an SRE sees); null while the broker does not answer. */
export async function committedLag(config: Config): Promise<number | null> {
  try {
    const positions = await groupPositions(config);
    return positions.reduce((total, p) => total + p.high - Math.max(0, p.committed), 0);
  } catch {
    return null;
  }
}
