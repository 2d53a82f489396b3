import { describe, expect, it } from 'vitest';
import { decodeRecord } from '../../../src/domain/decode.ts';
import type { BehaviourEvent } from '../../../src/domain/event.ts';
import { EXPECTED_REASON, INVALID_KINDS, recordCount, withInvalid, type ReplayRecord } from '../../../src/replay/invalid.ts';

const ORIGIN = { topic: 'test', partition: 0, offset: '0' };
/** The engine's defaults: 64 KiB records, 4 KiB kept in a dead letter. */
const DECODE = { maxBytes: 65_536, payloadBytes: 4_096 };

function events(n: number): BehaviourEvent[] {
  return Array.from({ length: n }, (_, i) => ({
    event_id: `dg-v-1-${i + 1}`,
    type: 'view' as const,
    ts: Date.UTC(2016, 4, 9) + i * 1000,
    session_id: 'dg-1',
    item_id: String(1000 + i),
    category_id: '1010',
  }));
}

function decode(record: ReplayRecord) {
  const value = record.kind === 'raw' ? record.value : Buffer.from(JSON.stringify(record.event));
  const key = record.kind === 'raw' ? record.key : record.event.session_id;
  return decodeRecord({ origin: ORIGIN, key, value, receivedAt: 0 }, DECODE);
}

describe('withInvalid', () => {
  it('passes events through untouched when every is 0', () => {
    const input = events(5);
    expect([...withInvalid(input, 0)]).toEqual(input.map((event) => ({ kind: 'event', event })));
    expect(recordCount(5, 0)).toBe(5);
  });

  it('puts one broken record after every N valid ones, cycling through all kinds', () => {
    const records = [...withInvalid(events(3 * INVALID_KINDS.length + 2), 3)];
    expect(records).toHaveLength(recordCount(3 * INVALID_KINDS.length + 2, 3));
    const raw = records.filter((r) => r.kind === 'raw');
    expect(raw.map((r) => r.flaw)).toEqual([...INVALID_KINDS]);
    records.forEach((record, index) => expect(record.kind).toBe(index % 4 === 3 ? 'raw' : 'event'));
  });

  it('makes records the decoder rejects, each for its expected reason', () => {
    const expectedMessages: Record<(typeof INVALID_KINDS)[number], RegExp> = {
      'truncated-json': /not valid JSON/,
      'ts-not-integer': /^ts: must be integer/,
      'unknown-type': /^type: must be one of search, view/,
      'view-without-item': /item_id/,
      oversized: /over the 65536-byte limit/,
      'unknown-field': /unknown field "colour"/,
    };
    for (const record of withInvalid(events(INVALID_KINDS.length), 1)) {
      const result = decode(record);
      if (record.kind === 'event') {
        expect(result.ok).toBe(true);
        continue;
      }
      expect(result.ok, record.flaw).toBe(false);
      if (result.ok) continue;
      expect(result.deadLetter.reason, record.flaw).toBe(EXPECTED_REASON[record.flaw]);
      expect(result.deadLetter.message, record.flaw).toMatch(expectedMessages[record.flaw]);
      expect(result.deadLetter.key).toBe('dg-1');
    }
  });

  it('sizes the oversized record at 70 KiB and keeps broken ids apart from valid ones', () => {
    const records = [...withInvalid(events(INVALID_KINDS.length), 1)];
    const oversized = records.find((r) => r.kind === 'raw' && r.flaw === 'oversized');
    expect(oversized?.kind === 'raw' && oversized.value.length).toBeGreaterThan(70 * 1024);
    const unknownField = records.find((r) => r.kind === 'raw' && r.flaw === 'unknown-field');
    const parsed = unknownField?.kind === 'raw' ? (JSON.parse(unknownField.value.toString()) as { event_id: string }) : null;
    expect(parsed?.event_id).toMatch(/^dg-v-1-\d+-bad\d+$/);
  });
});
