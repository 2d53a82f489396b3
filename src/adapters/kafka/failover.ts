import { createRequire } from 'node:module';
import { kafkaErrorNames } from './error-names.ts';

/**
 * kafkajs (2.2) stops consuming altogether when one broker of a cluster dies, although Kafka moves that
 * broker's work to the others within seconds (tulios/kafkajs#1439):
 *
 * - A failed connection to one partition leader fails the fetch of every partition: its fetcher throws,
 *   the fetch manager stops all fetchers, and the consumer retries until the metadata no longer names the
 *   dead broker. Nothing is processed meanwhile, and no heartbeat is sent (kafkajs sends them between
 *   batches), so the group loses its members too.
 * - Heartbeats go to the group coordinator found at the last join, between batches; when that broker
 *   dies, each failed heartbeat fails the fetch loop as well, so nothing is consumed until the member
 *   rejoins.
 *
 * The Java client keeps fetching the partitions whose leaders live. This does the same, in kafkajs's
 * own consumer group (its internals, checked before they are patched): a fetch that cannot reach its
 * broker returns no batches for a moment (the partitions of that broker wait for their new leaders,
 * found at the next metadata refresh) while the other brokers' fetches go on; a heartbeat that cannot
 * reach the coordinator is skipped, so consuming goes on while the engine's stall watch, which sees no
 * heartbeat, replaces the member after kafka.sessionTimeoutMs (the new member finds the new coordinator).
 * Looking the coordinator up again without a rejoin was tried: Kafka 4's new coordinator answered
 * NOT_COORDINATOR for a while and kafkajs rejoined anyway. With a single broker nothing is left to fetch
 * from, and kafkajs's own restart stays in charge.
 */

/** Pause of a fetcher whose broker is down before it asks again (the metadata is refreshed meanwhile). */
const DOWN_BROKER_PAUSE_MS = 300;
/** A metadata refresh after a failed fetch is waited for at most this long (kafkajs retries it inside). */
const REFRESH_WAIT_MS = 1000;

/** Errors that say a broker could not be reached, as opposed to an answer it gave. */
const CONNECTION_ERRORS = new Set(['KafkaJSConnectionError', 'KafkaJSConnectionClosedError', 'KafkaJSRequestTimeoutError']);

interface GroupLogger {
  warn(message: string, extra?: Record<string, unknown>): void;
}

/** What the patch reads and writes of a kafkajs ConsumerGroup. */
export interface GroupInternals {
  readonly logger: GroupLogger;
  readonly cluster: { refreshMetadata(): Promise<void> };
  getNodeIds(): number[];
}

export type GroupFetch = (this: GroupInternals, nodeId: number) => Promise<unknown[]>;
export type GroupHeartbeat = (this: GroupInternals, request: { interval: number }) => Promise<void>;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export const isConnectionFailure = (error: unknown): boolean => kafkaErrorNames(error).some((name) => CONNECTION_ERRORS.has(name));

/** A fetch that keeps the other brokers' partitions flowing while one broker is down. */
export function fetchPastDownBrokers(original: GroupFetch, pauseMs = DOWN_BROKER_PAUSE_MS): GroupFetch {
  return async function fetch(this: GroupInternals, nodeId: number): Promise<unknown[]> {
    try {
      return await original.call(this, nodeId);
    } catch (error) {
      if (!isConnectionFailure(error) || this.getNodeIds().length < 2) throw error;
      this.logger.warn('Broker unreachable: its partitions wait for new leaders, the others are fetched on', { nodeId, error: error instanceof Error ? error.message : String(error) });
      await Promise.race([this.cluster.refreshMetadata().catch(() => undefined), sleep(REFRESH_WAIT_MS)]);
      await sleep(pauseMs);
      return [];
    }
  };
}

/**
 * A heartbeat that skips an unreachable coordinator instead of failing the fetch loop: the partitions
 * go on being consumed, and no heartbeat event is emitted, so the engine's stall watch still sees the
 * silence and replaces the member (finding the new coordinator) after kafka.sessionTimeoutMs.
 */
export function heartbeatPastDownCoordinator(original: GroupHeartbeat): GroupHeartbeat {
  return async function heartbeat(this: GroupInternals, request: { interval: number }): Promise<void> {
    try {
      await original.call(this, request);
    } catch (error) {
      if (!isConnectionFailure(error)) throw error;
    }
  };
}

interface Patchable {
  readonly prototype: { fetch: GroupFetch; heartbeat: GroupHeartbeat; streamrecFailover?: true };
}

function isPatchable(value: unknown): value is Patchable {
  if (typeof value !== 'function' || !('prototype' in value)) return false;
  const prototype: unknown = value.prototype;
  return typeof prototype === 'object' && prototype !== null && 'fetch' in prototype && typeof prototype.fetch === 'function' && 'heartbeat' in prototype && typeof prototype.heartbeat === 'function';
}

/**
 * Patches kafkajs's consumer group once per process. Returns false (and changes nothing) when the
 * installed kafkajs does not have the internals this was written for.
 */
export function installFailover(): boolean {
  let group: unknown;
  try {
    group = createRequire(import.meta.url)('kafkajs/src/consumer/consumerGroup.js');
  } catch {
    return false;
  }
  if (!isPatchable(group)) return false;
  const prototype = group.prototype;
  if (prototype.streamrecFailover === true) return true;
  prototype.fetch = fetchPastDownBrokers(prototype.fetch);
  prototype.heartbeat = heartbeatPastDownCoordinator(prototype.heartbeat);
  prototype.streamrecFailover = true;
  return true;
}
