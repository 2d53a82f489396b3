import { createClient, type ClickHouseClient } from '@clickhouse/client';
import type { ClickHouseConfig } from '../../config/config.ts';
import { RecError } from '../../errors.ts';

/**
 * A client bound to the server (not the database, which may not exist yet). On a cluster, an insert
 * into a Distributed table returns only once every shard stored its rows: the engine commits Kafka
 * offsets after the sinks confirm, and an asynchronous insert would confirm rows still queued on disk.
 */
export function createClickHouse(config: ClickHouseConfig, url = config.url): ClickHouseClient {
  return createClient({
    url,
    username: config.username,
    password: config.password,
    request_timeout: config.requestTimeoutMs,
    compression: { request: false, response: false },
    clickhouse_settings: config.cluster === '' ? {} : { insert_distributed_sync: 1 },
  });
}

/** HTTP URLs of every node that holds the database: the nodes of clickhouse.cluster, or clickhouse.url alone. */
export function clickhouseNodeUrls(config: ClickHouseConfig): string[] {
  return config.cluster === '' ? [config.url] : config.nodes.split(',');
}

/** A client per node of clickhouse.cluster (none for a single server). */
export function createClickHouseNodes(config: ClickHouseConfig): ClickHouseClient[] {
  if (config.cluster === '') return [];
  return clickhouseNodeUrls(config).map((url) => createClickHouse(config, url));
}

export async function chCall<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (cause) {
    throw new RecError('REC_CLICKHOUSE', `ClickHouse ${what} failed`, { retriable: isRetriable(cause), cause });
  }
}

/** Network failures and overload are worth retrying; syntax and type errors are not. */
function isRetriable(error: unknown): boolean {
  if (!(error instanceof Error)) return true;
  const code = (error as { code?: unknown }).code;
  // ClickHouse server codes: 62 syntax, 47 unknown identifier, 60 unknown table, 27/26/117 parse/data errors.
  const fatal = new Set(['62', '47', '60', '27', '26', '117', '53', '16']);
  return !(typeof code === 'string' && fatal.has(code));
}
