import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.ts';
import { RecError } from '../../../src/errors.ts';
import { decodeRecord } from '../../../src/domain/decode.ts';
import type { BehaviourEvent } from '../../../src/domain/event.ts';
import type { EventPublisher, OutgoingMessage } from '../../../src/ports/event-publisher.ts';
import { withInvalid } from '../../../src/replay/invalid.ts';
import { publishRecords } from '../../../src/replay/publish.ts';
import { runReplay } from '../../../src/replay/run.ts';

const FIXTURES = resolve(import.meta.dirname, '../../fixtures/diginetica');

/** Keeps what was published; optionally runs a hook after each batch (to abort mid-run). */
class MemoryPublisher implements EventPublisher {
  readonly batches: { topic: string; messages: OutgoingMessage[] }[] = [];
  constructor(private readonly afterBatch: (count: number) => void = () => undefined) {}
  async publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    this.batches.push({ topic, messages: [...messages] });
    this.afterBatch(this.batches.length);
  }
  async close(): Promise<void> {}
  get messages(): OutgoingMessage[] {
    return this.batches.flatMap((batch) => batch.messages);
  }
}

function events(n: number): BehaviourEvent[] {
  return Array.from({ length: n }, (_, i) => ({
    event_id: `e-${i}`,
    type: 'view' as const,
    ts: 1_500_000_000_000 + i,
    session_id: `s-${i % 3}`,
    item_id: `i-${i}`,
  }));
}

/** A clock that only moves when the code under test sleeps, so pacing is checked exactly. */
function fakeTime() {
  let now = 0;
  const sleeps: number[] = [];
  return {
    clock: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    sleeps,
  };
}

describe('publishRecords', () => {
  it('sends JSON keyed by session in batches of the given size', async () => {
    const publisher = new MemoryPublisher();
    const result = await publishRecords(withInvalid(events(12), 5), publisher, { topic: 't', batchSize: 5, rate: 0 });
    expect(publisher.batches.map((b) => b.messages.length)).toEqual([5, 5, 4]);
    expect(result).toMatchObject({ valid: 12, invalid: 2, interrupted: false, firstTs: 1_500_000_000_000, lastTs: 1_500_000_000_011 });
    const first = publisher.messages[0]!;
    expect(first.key).toBe('s-0');
    expect(JSON.parse(String(first.value))).toEqual(events(1)[0]);
  });

  it('paces batches to the requested rate', async () => {
    const time = fakeTime();
    const publisher = new MemoryPublisher();
    const result = await publishRecords(withInvalid(events(1000), 0), publisher, {
      topic: 't',
      batchSize: 100,
      rate: 200,
      clock: time.clock,
      sleep: time.sleep,
    });
    // A batch of 100 goes once its last record is due at 200/s: every 500 ms, starting at 500.
    expect(time.sleeps).toEqual(Array.from({ length: 10 }, () => 500));
    expect(result.elapsedMs).toBe(5000);
  });

  it('stops after the batch in flight when aborted', async () => {
    const controller = new AbortController();
    const publisher = new MemoryPublisher((count) => {
      if (count === 2) controller.abort();
    });
    const result = await publishRecords(withInvalid(events(50), 0), publisher, {
      topic: 't',
      batchSize: 10,
      rate: 0,
      signal: controller.signal,
    });
    expect(publisher.batches).toHaveLength(2);
    expect(result).toMatchObject({ valid: 20, interrupted: true });
  });
});

describe('runReplay', () => {
  it('produces every fixture event to the chosen topic and summarises', async () => {
    const publisher = new MemoryPublisher();
    const now = Date.UTC(2030, 0, 1);
    const summary = await runReplay({
      dataDir: FIXTURES,
      config: loadConfig({}),
      publisher,
      topic: 'replay-test',
      batchSize: 16,
      invalidEvery: 10,
      now,
    });
    expect(summary).toMatchObject({
      topic: 'replay-test',
      produced: { valid: 89, invalid: 8, total: 97 },
      selected: { views: 32, purchases: 8, sessions: 49 },
      interrupted: false,
      eventTime: { last: new Date(now - 1000).toISOString() },
    });
    expect(publisher.batches.every((b) => b.topic === 'replay-test')).toBe(true);
    const origin = { topic: 'replay-test', partition: 0, offset: '0' };
    const reasons = publisher.messages.map((m) => {
      const value = Buffer.isBuffer(m.value) ? m.value : Buffer.from(m.value);
      const result = decodeRecord({ origin, key: m.key, value, receivedAt: 0 }, { maxBytes: 65_536, payloadBytes: 64 });
      return result.ok ? 'ok' : result.deadLetter.reason;
    });
    expect(reasons.filter((r) => r === 'ok')).toHaveLength(89);
    expect(reasons.filter((r) => r !== 'ok').sort()).toEqual(
      ['REC_DECODE', 'REC_OVERSIZE', 'REC_SCHEMA', 'REC_SCHEMA', 'REC_SCHEMA', 'REC_SCHEMA', 'REC_DECODE', 'REC_SCHEMA'].sort(),
    );
  });
});

describe('publishRecords when the broker fails', () => {
  /** Fails the first `failures` publish calls with `error`, then keeps what it is given. */
  const flaky = (failures: number, error: Error) => {
    const inner = new MemoryPublisher();
    let calls = 0;
    const publisher: EventPublisher = {
      publish: async (topic, messages) => {
        calls += 1;
        if (calls <= failures) throw error;
        await inner.publish(topic, messages);
      },
      close: async () => undefined,
    };
    return { publisher, inner, calls: () => calls };
  };

  it('retries a batch after a retriable error, backing off, and sends every record once it goes through', async () => {
    const time = fakeTime();
    const { publisher, inner, calls } = flaky(3, new RecError('REC_KAFKA', 'leader moved', { retriable: true }));
    const result = await publishRecords(withInvalid(events(10), 0), publisher, { topic: 't', batchSize: 4, rate: 0, clock: time.clock, sleep: time.sleep });
    expect(result.valid).toBe(10);
    expect(inner.messages.map((m) => JSON.parse(String(m.value)).event_id)).toEqual(events(10).map((e) => e.event_id));
    expect(calls()).toBe(6);
    expect(time.sleeps).toEqual([500, 1000, 2000]);
  });

  it('gives up after the last attempt, and at once on an error that is not retriable', async () => {
    const time = fakeTime();
    const stuck = flaky(100, new RecError('REC_KAFKA', 'broker gone', { retriable: true }));
    await expect(publishRecords(withInvalid(events(3), 0), stuck.publisher, { topic: 't', batchSize: 4, rate: 0, attempts: 3, clock: time.clock, sleep: time.sleep })).rejects.toThrow('broker gone');
    expect(stuck.calls()).toBe(3);
    const fatal = flaky(100, new RecError('REC_KAFKA', 'topic authorization failed', { retriable: false }));
    await expect(publishRecords(withInvalid(events(3), 0), fatal.publisher, { topic: 't', batchSize: 4, rate: 0, clock: time.clock, sleep: time.sleep })).rejects.toThrow('topic authorization failed');
    expect(fatal.calls()).toBe(1);
  });
});
