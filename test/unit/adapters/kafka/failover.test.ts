import { describe, expect, it } from 'vitest';
import { fetchPastDownBrokers, heartbeatPastDownCoordinator, installFailover, isConnectionFailure, type GroupInternals } from '../../../../src/adapters/kafka/failover.ts';

/** kafkajs errors as the client raises them: the class in `name`, a broker's error in `type`. */
const named = (name: string, extra: Record<string, unknown> = {}): Error => Object.assign(new Error(name), { name, ...extra });
const refused = (): Error => named('KafkaJSConnectionError', { code: 'ECONNREFUSED' });

/** A stand-in for kafkajs's consumer group with `nodes` brokers. */
function group(nodes: number[]): GroupInternals & { warnings: string[]; refreshes: number } {
  const warnings: string[] = [];
  const state = {
    warnings,
    refreshes: 0,
    logger: { warn: (message: string) => void warnings.push(message) },
    cluster: {
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

describe('heartbeatPastDownCoordinator', () => {
  it('skips a heartbeat the coordinator cannot take; what the coordinator answers goes to kafkajs', async () => {
    const g = group([1, 2, 3]);
    await expect(heartbeatPastDownCoordinator(async () => Promise.reject(refused())).call(g, { interval: 1000 })).resolves.toBeUndefined();
    // A rebalance is kafkajs's to handle (it rejoins).
    await expect(heartbeatPastDownCoordinator(async () => Promise.reject(named('KafkaJSProtocolError', { type: 'REBALANCE_IN_PROGRESS' }))).call(g, { interval: 1000 })).rejects.toThrow();
    let sent = 0;
    await heartbeatPastDownCoordinator(async () => void (sent += 1)).call(g, { interval: 1000 });
    expect(sent).toBe(1);
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
