import type { ClickHouseClient } from '@clickhouse/client';
import { RecError } from '../../errors.ts';
import { chCall } from './client.ts';
import { literal } from './sql.ts';

/**
 * Checks, at start, that the server behind clickhouse.url knows `cluster` with one node per shard and
 * as many shards as clickhouse.nodes names: migrations and deletes run once per configured node, so a
 * node left out (or a second replica) would keep rows a privacy delete must reach.
 */
export async function checkCluster(client: ClickHouseClient, cluster: string, nodes: number): Promise<void> {
  const rows = await chCall('read system.clusters', async () => {
    const result = await client.query({ query: `SELECT uniqExact(shard_num) AS shards, count() AS replicas FROM system.clusters WHERE cluster = ${literal(cluster)}`, format: 'JSONEachRow' });
    return result.json<{ shards: string | number; replicas: string | number }>();
  });
  const shards = Number(rows[0]?.shards ?? 0);
  const replicas = Number(rows[0]?.replicas ?? 0);
  if (shards === 0) throw new RecError('REC_CONFIG', `clickhouse.cluster: the server at clickhouse.url knows no cluster "${cluster}" (define it under remote_servers in its config)`);
  if (replicas !== shards) throw new RecError('REC_CONFIG', `clickhouse.cluster: cluster "${cluster}" has ${replicas} replicas for ${shards} shards; the engine's tables are not replicated, so each shard must have one node`);
  if (shards !== nodes) throw new RecError('REC_CONFIG', `clickhouse.nodes names ${nodes} node(s) but cluster "${cluster}" has ${shards} shards: list the HTTP URL of every shard's node`);
}
