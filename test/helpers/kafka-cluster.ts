import { Kafka, logLevel } from 'kafkajs';
import { runStackScript, stackStatus, type ScriptResult } from './stack-script.ts';

/**
 * The three-broker KRaft cluster of scripts/stack/kafka-cluster.sh (replication factor 3,
 * min.insync.replicas 2) for fault tests: kill one broker mid-stream, restart it.
 * Separate from the single broker of scripts/stack/stack.sh on 39092.
 */

/** Node n (1..3) listens on clusterBrokers[n - 1]. */
export const clusterBrokers: readonly string[] = ['127.0.0.1:39192', '127.0.0.1:39193', '127.0.0.1:39194'];

export type BrokerNumber = 1 | 2 | 3;

/** Cold start of three JVMs on two cores takes ~25 s, a node restart ~8 s; the script itself waits up to 120 s. */
const UP_TIMEOUT_MS = 240_000;
const NODE_TIMEOUT_MS = 180_000;
const DOWN_TIMEOUT_MS = 90_000;

const runScript = (args: readonly string[], timeoutMs: number): Promise<ScriptResult> => runStackScript('kafka-cluster.sh', args, timeoutMs);

/** Java's String.hashCode, by which Kafka places a consumer group on a partition of __consumer_offsets. */
export function javaStringHash(text: string): number {
  let hash = 0;
  for (let i = 0; i < text.length; i += 1) hash = (Math.imul(31, hash) + text.charCodeAt(i)) | 0;
  return hash;
}

/** The __consumer_offsets partition of a group: Kafka's Utils.abs(groupId.hashCode()) % partitions (abs of MIN_VALUE is 0). */
export function offsetsPartition(groupId: string, partitions: number): number {
  const hash = javaStringHash(groupId);
  return (hash === -2147483648 ? 0 : Math.abs(hash)) % partitions;
}

/**
 * The broker that coordinates `groupId` now: the leader of the group's __consumer_offsets partition
 * (Kafka's own placement, abs(hash) mod the partition count). Killing it takes the group's
 * coordinator away as well as a third of the partition leaders.
 */
export async function coordinatorBroker(groupId: string): Promise<BrokerNumber> {
  const admin = new Kafka({ brokers: [...clusterBrokers], clientId: 'streamrec-test-coordinator', logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const { topics } = await admin.fetchTopicMetadata({ topics: ['__consumer_offsets'] });
    const partitions = topics[0]?.partitions ?? [];
    if (partitions.length === 0) throw new Error('__consumer_offsets has no partitions yet: no group has committed');
    const index = offsetsPartition(groupId, partitions.length);
    const leader = partitions.find((partition) => partition.partitionId === index)?.leader ?? -1;
    checkBroker(leader);
    return leader;
  } finally {
    await admin.disconnect();
  }
}

function checkBroker(n: number): asserts n is BrokerNumber {
  if (n !== 1 && n !== 2 && n !== 3) throw new Error(`broker number must be 1, 2 or 3 (got ${n})`);
}

/** Starts whatever of the three nodes is not running; resolves once the cluster shows 3 ready brokers. */
export async function clusterUp(): Promise<ScriptResult> {
  return runScript(['up'], UP_TIMEOUT_MS);
}

/** Stops all three nodes (data is kept). */
export async function clusterDown(): Promise<ScriptResult> {
  return runScript(['down'], DOWN_TIMEOUT_MS);
}

/** SIGKILLs broker n (1..3); resolves once its JVM is gone. */
export async function killBroker(n: BrokerNumber): Promise<ScriptResult> {
  checkBroker(n);
  return runScript(['kill', String(n)], NODE_TIMEOUT_MS);
}

/** Restarts broker n on its existing data; resolves once it answers and the cluster shows 3 brokers again. */
export async function startBroker(n: BrokerNumber): Promise<ScriptResult> {
  checkBroker(n);
  return runScript(['start', String(n)], NODE_TIMEOUT_MS);
}

/** The script's status lines; `allUp` is false unless all three nodes answer metadata. */
export async function clusterStatus(): Promise<{ readonly allUp: boolean; readonly text: string }> {
  const { up, text } = await stackStatus('kafka-cluster.sh', NODE_TIMEOUT_MS);
  return { allUp: up, text };
}
