import type { ITopicConfig } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { ensureTopics, type TopicAdmin } from '../../../../src/adapters/kafka/admin.ts';
import { RecError } from '../../../../src/errors.ts';
import { loadConfig } from '../../../../src/config/load.ts';

/** A kafkajs protocol error as the client raises it: the broker's error name in `type`, and whether a retry may help. */
const protocolError = (type: string, retriable: boolean): Error => Object.assign(new Error(type), { type, retriable });

/**
 * A broker that knows `topics`, creates what it is asked to, and first fails the creations queued in
 * `failures` (after creating the topics, as a metadata lag behind a real creation does).
 */
function broker(topics: string[], failures: Error[]): { kafka: { admin(): TopicAdmin }; asked: string[][] } {
  const known = new Set(topics);
  const asked: string[][] = [];
  const admin: TopicAdmin = {
    connect: async () => {},
    disconnect: async () => {},
    listTopics: async () => [...known],
    createTopics: async ({ topics: specs }: { topics: ITopicConfig[] }) => {
      asked.push(specs.map((spec) => spec.topic));
      for (const spec of specs) known.add(spec.topic);
      const failure = failures.shift();
      if (failure !== undefined) throw failure;
      return true;
    },
  };
  return { kafka: { admin: () => admin }, asked };
}

describe('ensureTopics', () => {
  const config = loadConfig({}).kafka;
  const all = [config.eventsTopic, config.deadLetterTopic, config.itemUpdatesTopic, config.commandsTopic, config.rulesTopic, config.deltasTopic];

  it('creates only the missing topics', async () => {
    const { kafka, asked } = broker([config.eventsTopic, config.deadLetterTopic], []);
    const result = await ensureTopics(kafka, config);
    expect(result.created).toEqual(all.slice(2));
    expect(asked).toEqual([all.slice(2)]);
  });

  it('tries again after a retriable error (a broker that does not know a just-created topic yet) and then finds the topics', async () => {
    const { kafka, asked } = broker([], [protocolError('UNKNOWN_TOPIC_OR_PARTITION', true)]);
    const result = await ensureTopics(kafka, config);
    expect(result.created).toEqual(all);
    // The second attempt lists them all and asks for nothing more.
    expect(asked).toEqual([all]);
  });

  it('gives up at once on an error no retry fixes, with the brokers named', async () => {
    const { kafka, asked } = broker([], [protocolError('POLICY_VIOLATION', false)]);
    const failure = await ensureTopics(kafka, config).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RecError);
    expect(failure).toMatchObject({ code: 'REC_KAFKA', message: expect.stringContaining(`cannot create topics on ${config.brokers.join(',')}`) });
    expect(asked).toHaveLength(1);
  });
});
