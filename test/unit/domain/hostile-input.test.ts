import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeRecord, type DecodeOptions } from '../../../src/domain/decode.ts';
import { EVENT_TYPES } from '../../../src/domain/event.ts';
import { HOSTILE } from '../../fixtures/hostile.ts';

const OPTIONS: DecodeOptions = { maxBytes: 65_536, payloadBytes: 4096 };
const REASONS = new Set(['REC_DECODE', 'REC_ENCODING', 'REC_SCHEMA', 'REC_OVERSIZE', 'REC_EMPTY']);
const decode = (value: Buffer | null) => decodeRecord({ origin: { topic: 't', partition: 0, offset: '1' }, key: null, value, receivedAt: 1 }, OPTIONS);

describe('hostile input corpus', () => {
  it('has at least 30 kinds', () => {
    expect(new Set(HOSTILE.map((c) => c.name)).size).toBeGreaterThanOrEqual(30);
  });

  it.each(HOSTILE.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const result = decode(c.value);
    if (c.expect === 'valid') {
      if (!result.ok) throw new Error(`expected a valid event, got ${result.deadLetter.reason}: ${result.deadLetter.message}`);
      // Strings come through verbatim: nothing is trimmed, escaped or interpreted.
      const text = (c.value ?? Buffer.alloc(0)).toString('utf8').replace(/^\ufeff/, '');
      expect(result.event).toEqual(JSON.parse(text));
    } else {
      if (result.ok) throw new Error(`expected ${c.expect}, got a valid event`);
      expect(result.deadLetter.reason).toBe(c.expect);
      expect(result.deadLetter.message.length).toBeGreaterThan(0);
      expect(result.deadLetter.payloadBytes).toBe(c.value?.length ?? 0);
      expect(Buffer.byteLength(result.deadLetter.payload)).toBeLessThanOrEqual(OPTIONS.payloadBytes);
    }
  });

  it('leaves Object.prototype alone', () => {
    for (const c of HOSTILE) decode(c.value);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

const id = fc.stringMatching(/^[A-Za-z0-9._:-]{1,128}$/);
const validEvent = fc.record(
  {
    event_id: id,
    type: fc.constantFrom(...EVENT_TYPES.filter((t) => t !== 'search' && t !== 'rating')),
    ts: fc.integer({ min: 946_684_800_000, max: 4_102_444_800_000 }),
    session_id: id,
    item_id: id,
    user_id: id,
    price: fc.double({ min: 0, max: 1e9, noNaN: true }),
    quantity: fc.integer({ min: 1, max: 100_000 }),
    device: fc.string({ minLength: 1, maxLength: 64 }),
  },
  { requiredKeys: ['event_id', 'type', 'ts', 'session_id', 'item_id'] },
);

describe('decodeRecord under property-based fuzzing', () => {
  it('never throws on arbitrary bytes, and every rejection names a reason', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => {
        const result = decode(Buffer.from(bytes));
        return result.ok || REASONS.has(result.deadLetter.reason);
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on arbitrary JSON, and accepts only what the schema allows', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const result = decode(Buffer.from(JSON.stringify(value) ?? 'null'));
        if (!result.ok) return REASONS.has(result.deadLetter.reason);
        return typeof result.event.event_id === 'string' && EVENT_TYPES.includes(result.event.type);
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts every schema-valid event unchanged', () => {
    fc.assert(
      fc.property(validEvent, (event) => {
        const result = decode(Buffer.from(JSON.stringify(event)));
        return result.ok && JSON.stringify(result.event) === JSON.stringify(event);
      }),
      { numRuns: 1000 },
    );
  });

  it('rejects a valid event with one field corrupted', () => {
    const corruption = fc.constantFrom<[string, unknown]>(['ts', 'soon'], ['ts', -1], ['price', -0.01], ['quantity', 1.5], ['type', 'teleport'], ['item_id', ''], ['session_id', 'a b'], ['extra', 1]);
    fc.assert(
      fc.property(validEvent, corruption, (event, [field, bad]) => {
        const result = decode(Buffer.from(JSON.stringify({ ...event, [field]: bad })));
        return !result.ok && result.deadLetter.reason === 'REC_SCHEMA';
      }),
      { numRuns: 500 },
    );
  });
});
