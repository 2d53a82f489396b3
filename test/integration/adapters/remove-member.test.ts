import type { Consumer } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureTopics } from '../../../src/adapters/kafka/admin.ts';
import { createKafka } from '../../../src/adapters/kafka/client.ts';
import { removeMember } from '../../../src/adapters/kafka/remove-member.ts';
import { createLogger } from '../../../src/adapters/log/pino.ts';
import type { Config } from '../../../src/config/config.ts';
import { cleanup } from '../../helpers/cleanup.ts';
import { testConfig } from '../../helpers/engine-config.ts';
import { freePort } from '../../helpers/free-port.ts';
import { waitFor } from '../../helpers/wait-for.ts';

const logger = createLogger({ level: 'error' });

describe('removeMember on the real broker', () => {
  const configs: Config[] = [];
  const consumers: Consumer[] = [];
  afterAll(async () => {
    for (const consumer of consumers) await consumer.disconnect();
    for (const config of configs) await cleanup(config);
  });

  it("drops a member from its group as the member's own LeaveGroup would; a second call finds it gone", async () => {
    const { config } = testConfig('rmmember', { STREAMREC_KAFKA_PARTITIONS: '2' });
    configs.push(config);
    const kafka = createKafka(config.kafka, logger);
    await ensureTopics(kafka, config.kafka);
    const consumer = kafka.consumer({ groupId: config.kafka.groupId, sessionTimeout: 30_000, heartbeatInterval: 3_000 });
    consumers.push(consumer);
    const joins: string[] = [];
    consumer.on(consumer.events.GROUP_JOIN, (event) => joins.push(event.payload.memberId));
    await consumer.connect();
    await consumer.subscribe({ topics: [config.kafka.eventsTopic] });
    await consumer.run({ eachBatch: async () => undefined });
    await waitFor(async () => joins.length, (n) => n > 0, { what: 'the consumer joined' });
    const member = joins[0] ?? '';
    const admin = kafka.admin();
    await admin.connect();
    const members = async (): Promise<string[]> => (await admin.describeGroups([config.kafka.groupId])).groups[0]?.members.map((m) => m.memberId) ?? [];
    try {
      expect(await members()).toEqual([member]);

      // Long before its 30 s session would expire, the member is out of the group.
      expect(await removeMember(config.kafka.brokers, config.kafka.groupId, member, 10_000, 'streamrec-test')).toBe('removed');
      expect(await members()).not.toContain(member);
      expect(await removeMember(config.kafka.brokers, config.kafka.groupId, member, 10_000, 'streamrec-test')).toBe('already-gone');
      // The consumer itself learns it was dropped and joins again as a new member.
      await waitFor(async () => joins.length, (n) => n > 1, { what: 'the consumer joined again', timeoutMs: 30_000 });
      expect(joins[1]).not.toBe(member);
    } finally {
      await admin.disconnect();
    }
  });

  it('gives up at the deadline when no broker answers', async () => {
    const port = await freePort();
    const started = Date.now();
    expect(await removeMember([`127.0.0.1:${port}`], 'nobody', 'member-1', 1_000, 'streamrec-test')).toBe('timed-out');
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
