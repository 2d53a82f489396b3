import { describe, expect, it } from 'vitest';
import { recordBytes, refusedRecords, requestSized } from '../../../../src/adapters/kafka/producer.ts';

/** The shape of a kafkajs protocol error: the broker's error name in `type`. */
const protocolError = (type: string): Error => Object.assign(new Error(type), { type });

describe('refusedRecords', () => {
  it('names a refusal of the records, also when wrapped (the kafkajs retrier wraps it with `cause`)', () => {
    expect(refusedRecords(protocolError('MESSAGE_TOO_LARGE'))).toBe('MESSAGE_TOO_LARGE');
    expect(refusedRecords(new Error('wrapped', { cause: new Error('again', { cause: protocolError('RECORD_LIST_TOO_LARGE') }) }))).toBe('RECORD_LIST_TOO_LARGE');
  });

  it('leaves errors a retry may fix alone', () => {
    expect(refusedRecords(protocolError('NOT_LEADER_OR_FOLLOWER'))).toBeNull();
    expect(refusedRecords(new Error('retries exceeded', { cause: protocolError('LEADER_NOT_AVAILABLE') }))).toBeNull();
    expect(refusedRecords(new Error('Connection error: write after end'))).toBeNull();
    expect(refusedRecords(null)).toBeNull();
  });
});

describe('requestSized', () => {
  const message = (bytes: number): { key: string; value: string } => ({ key: 'k', value: 'v'.repeat(bytes) });

  it('cuts messages into runs within the limit, in order, a larger record alone', () => {
    const messages = [message(100), message(100), message(100), message(1000), message(10)];
    const size = recordBytes(messages[0] ?? message(0));
    expect(size).toBeGreaterThan(100);
    const parts = requestSized(messages, 2 * size + 1);
    expect(parts.map((part) => part.length)).toEqual([2, 1, 1, 1]);
    expect(parts.flat()).toEqual(messages);
  });

  it('counts UTF-8 bytes and headers', () => {
    expect(recordBytes({ key: null, value: 'é' })).toBe(recordBytes({ key: null, value: 'ab' }));
    expect(recordBytes({ key: null, value: 'x', headers: { reason: 'abc' } })).toBe(recordBytes({ key: null, value: 'x' }) + 'reason'.length + 3);
  });
});
