import { describe, expect, it } from 'vitest';
import { fetchPastDownBrokers, heartbeatPastDownCoordinator, installFailover, isConnectionFailure, relocateCoordinator, type BrokerHandle, type GroupInternals } from '../../../../src/adapters/kafka/failover.ts';

/** kafkajs errors as the client raises them: the class in `name`, a broker's error in `type`. */
const named = (name: string, extra: Record<string, unknown> = {}): Error => Object.assign(new Error(name), { name, ...extra });
const refused = (): Error => named('KafkaJSConnectionError', { code: 'ECONNREFUSED' });

/** A stand-in for kafkajs's consumer group: `nodes` brokers, the coordinator lookups answer in order. */
function group(nodes: number[], lookups: (number | Error)[] = []): GroupInternals & { warnings: string[]; refreshes: number } {
  const warnings: string[] = [];
  const state = {
    groupId: 'g',
    coordinator: { nodeId: 1 } as BrokerHandle | null,
    offsetManager: { coordinator: { nodeId: 1 } as BrokerHandle },
    warnings,
    refreshes: 0,
    logger: { warn: (message: string) => void warnings.push(message), info: () => undefined },
    cluster: {
      findGroupCoordinatorMetadata: async () => {
        const next = lookups.length > 1 ? lookups.shift() : lookups[0];
        if (next === undefined || next instanceof Error) throw next ?? new Error('no answer');
        return { coordinator: { nodeId: next } };
      },
      findBroker: async ({ nodeId }: { nodeId: number }) => ({ nodeId }),
      refreshMetadata: async () => {
        state.refreshes += 1;
      },
    },
    getNodeIds: () => nodes,
  };
  return state;
}

describe('isConnectionFailure', () => {
  it('knows a broker that cannot be reached, also wrapped in kafkajs retries', () => {
    expect(isConnectionFailure(refused())).toBe(true);
    expect(isConnectionFailure(named('KafkaJSNumberOfRetriesExceeded', { cause: named('KafkaJSConnectionClosedError') }))).toBe(true);
    expect(isConnectionFailure(named('KafkaJSProtocolError', { type: 'OFFSET_OUT_OF_RANGE' }))).toBe(false);
    expect(isConnectionFailure(null)).toBe(false);
  });
});

describe('fetchPastDownBrokers', () => {
  it('answers no batches for a broker that is down when others are left, after refreshing the metadata', async () => {
    const g = group([1, 2, 3]);
    const fetch = fetchPastDownBrokers(async () => Promise.reject(refused()), 1);
    await expect(fetch.call(g, 3)).resolves.toEqual([]);
    expect(g.refreshes).toBe(1);
    expect(g.warnings[0]).toContain('Broker unreachable');
  });

  it('passes batches through, and leaves other errors and a lone broker to kafkajs', async () => {
    const batches = [{ partition: 0 }];
    await expect(fetchPastDownBrokers(async () => batches, 1).call(group([1, 2]), 1)).resolves.toBe(batches);
    await expect(fetchPastDownBrokers(async () => Promise.reject(refused()), 1).call(group([1]), 1)).rejects.toThrow('KafkaJSConnectionError');
    await expect(fetchPastDownBrokers(async () => Promise.reject(named('KafkaJSNonRetriableError')), 1).call(group([1, 2]), 1)).rejects.toThrow('KafkaJSNonRetriableError');
  });
});

describe('relocateCoordinator', () => {
  it('waits until Kafka names another coordinator, then points heartbeats and commits there', async () => {
    const g = group([1, 2, 3], [1, new Error('COORDINATOR_NOT_AVAILABLE'), 1, 2]);
    await expect(relocateCoordinator(g, 1, 1, 5000)).resolves.toBe(true);
    expect(g.coordinator?.nodeId).toBe(2);
    expect(g.offsetManager?.coordinator.nodeId).toBe(2);
  });

  it('runs once per group at a time and gives up at its limit', async () => {
    const g = group([1, 2, 3], [1]);
    const first = relocateCoordinator(g, 1, 1, 50);
    await expect(relocateCoordinator(g, 1, 1, 50)).resolves.toBe(false);
    await expect(first).resolves.toBe(false);
    expect(g.coordinator?.nodeId).toBe(1);
  });
});

describe('heartbeatPastDownCoordinator', () => {
  it('skips a heartbeat the coordinator cannot take and starts a lookup; other errors go to kafkajs', async () => {
    const asked: (number | undefined)[] = [];
    const relocate = async (_group: GroupInternals, gone: number | undefined): Promise<boolean> => {
      asked.push(gone);
      return true;
    };
    const g = group([1, 2, 3]);
    await expect(heartbeatPastDownCoordinator(async () => Promise.reject(refused()), relocate).call(g, { interval: 1000 })).resolves.toBeUndefined();
    await expect(heartbeatPastDownCoordinator(async () => Promise.reject(named('KafkaJSProtocolError', { type: 'COORDINATOR_LOAD_IN_PROGRESS' })), relocate).call(g, { interval: 1000 })).resolves.toBeUndefined();
    expect(asked).toEqual([1, 1]);
    // A rebalance is kafkajs's to handle (it rejoins).
    await expect(heartbeatPastDownCoordinator(async () => Promise.reject(named('KafkaJSProtocolError', { type: 'REBALANCE_IN_PROGRESS' })), relocate).call(g, { interval: 1000 })).rejects.toThrow();
    expect(asked).toHaveLength(2);
  });
});

describe('installFailover', () => {
  it('patches the installed kafkajs consumer group once', async () => {
    expect(installFailover()).toBe(true);
    expect(installFailover()).toBe(true);
    const { createRequire } = await import('node:module');
    const consumerGroup = createRequire(import.meta.url)('kafkajs/src/consumer/consumerGroup.js') as { prototype: Record<string, unknown> };
    expect(consumerGroup.prototype['streamrecFailover']).toBe(true);
    expect(consumerGroup.prototype['fetch']).toBeTypeOf('function');
  });
});
