import { firstValueFrom, of } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { decodeBatch } from '../../../../pipelines/operators/decodeBatch.ts';
import { T0, event, sourceBatch } from '../../helpers/events.ts';

const OPTIONS = { maxBytes: 512, payloadBytes: 64 };

describe('decodeBatch', () => {
  it('puts every record in exactly one of events and dead letters, in record order', async () => {
    const good = [event({ event_id: 'g0' }), event({ event_id: 'g1', type: 'search', query: 'q', item_id: 'x' }), event({ event_id: 'g2' })];
    const source = sourceBatch(
      [good[0] ?? {}, null, 'not json', good[1] ?? {}, { event_id: 'bad', type: 'view' }, 'x'.repeat(600), good[2] ?? {}],
      { partition: 4, firstOffset: 100, receivedAt: T0 + 5 },
    );
    const out = await firstValueFrom(of(source).pipe(decodeBatch(OPTIONS)));
    expect(out.source).toBe(source);
    expect(out.events.map((e) => e.event.event_id)).toEqual(['g0', 'g1', 'g2']);
    expect(out.events.map((e) => e.origin.offset)).toEqual(['100', '103', '106']);
    expect(out.deadLetters.map((d) => [d.origin.offset, d.reason])).toEqual([
      ['101', 'REC_EMPTY'],
      ['102', 'REC_DECODE'],
      ['104', 'REC_SCHEMA'],
      ['105', 'REC_OVERSIZE'],
    ]);
    const offsets = [...out.events.map((e) => e.origin.offset), ...out.deadLetters.map((d) => d.origin.offset)].sort();
    expect(offsets).toEqual(source.records.map((r) => r.offset).sort());
  });

  it('stamps each event with its origin and the batch receive time, not late', async () => {
    const e = event();
    const out = await firstValueFrom(of(sourceBatch([e], { partition: 2, firstOffset: 7, receivedAt: 1234, topic: 'tp' })).pipe(decodeBatch(OPTIONS)));
    expect(out.events).toEqual([{ event: e, origin: { topic: 'tp', partition: 2, offset: '7' }, receivedAt: 1234, late: false }]);
    expect(out.deadLetters).toEqual([]);
  });

  it('passes an empty batch through', async () => {
    const out = await firstValueFrom(of(sourceBatch([])).pipe(decodeBatch(OPTIONS)));
    expect(out.events).toEqual([]);
    expect(out.deadLetters).toEqual([]);
  });
});
