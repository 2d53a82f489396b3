import { Cluster, Redis } from 'ioredis';
import { RecError } from '../../errors.ts';

/** One Redis server, or a Redis Cluster: both take the same commands, but a cluster only runs multi-key ones within one slot. */
export type RedisClient = Redis | Cluster;

/** `host:port,host:port` → seed nodes; an empty string → none (a single server). */
export function parseClusterNodes(text: string): { host: string; port: number }[] {
  if (text.trim() === '') return [];
  return text.split(',').map((entry) => {
    const match = /^\s*([^\s:]+|\[[0-9a-fA-F:]+\]):(\d{1,5})\s*$/.exec(entry);
    const port = Number(match?.[2]);
    if (match === null || match[1] === undefined || !(port > 0 && port < 65536)) {
      throw new RecError('REC_CONFIG', `redis.clusterNodes entry "${entry}" is not host:port`);
    }
    return { host: match[1].replace(/^\[|\]$/g, ''), port };
  });
}

/** The connection settings the engine and the Feed API choose (the same for one server and each cluster node). */
export interface ClientOptions {
  readonly lazyConnect: boolean;
  readonly commandTimeout: number;
  readonly connectTimeout?: number;
  readonly maxRetriesPerRequest: number;
  readonly enableOfflineQueue: boolean;
  readonly retryStrategy: (attempt: number) => number;
}

/**
 * Connects to `url`, or, when `clusterNodes` names seed nodes, to that Redis Cluster with the URL's
 * credentials and TLS (rediss://) applied to every node.
 */
export function connectRedis(url: string, clusterNodes: string, options: ClientOptions): RedisClient {
  const nodes = parseClusterNodes(clusterNodes);
  const { lazyConnect, retryStrategy, ...perNode } = options;
  if (nodes.length === 0) return new Redis(url, { ...perNode, lazyConnect, retryStrategy });
  const parsed = new URL(url);
  return new Cluster(nodes, {
    lazyConnect,
    clusterRetryStrategy: retryStrategy,
    redisOptions: {
      ...perNode,
      ...(parsed.username === '' ? {} : { username: decodeURIComponent(parsed.username) }),
      ...(parsed.password === '' ? {} : { password: decodeURIComponent(parsed.password) }),
      ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
    },
  });
}

/** True for a cluster client: multi-key commands must then be split by key. */
export const isCluster = (client: RedisClient): client is Cluster => client instanceof Cluster;
