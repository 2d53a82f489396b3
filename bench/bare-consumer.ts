import type { Kafka } from 'kafkajs';

/**
 * The ceiling: a kafkajs consumer that reads the topic from the beginning and only parses each value
 * as JSON. Returns events/s from its first record to the `expected`-th.
 */
export async function bareConsumer(kafka: Kafka, topic: string, groupId: string, expected: number): Promise<{ events: number; seconds: number; eventsPerSecond: number }> {
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100, maxBytesPerPartition: 1_048_576 });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let seen = 0;
  let first = 0;
  let parsed = 0;
  const done = new Promise<number>((resolve) => {
    void consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        if (first === 0) first = performance.now();
        for (const message of batch.messages) {
          if (message.value !== null) {
            const value = JSON.parse(message.value.toString('utf8')) as { ts?: unknown };
            if (value.ts !== undefined) parsed += 1;
          }
        }
        seen += batch.messages.length;
        if (seen >= expected) resolve(performance.now());
      },
    });
  });
  const end = await done;
  await consumer.disconnect();
  const seconds = (end - first) / 1000;
  return { events: parsed, seconds, eventsPerSecond: Math.round(seen / seconds) };
}
