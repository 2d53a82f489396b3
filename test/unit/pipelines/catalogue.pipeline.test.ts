import { firstValueFrom, of } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { cataloguePipeline } from '../../../pipelines/catalogue.pipeline.ts';
import { Catalogue } from '../../../src/domain/catalogue.ts';
import type { ItemUpdate } from '../../../src/domain/item-update.ts';
import type { AnalyticsRows } from '../../../src/ports/analytics-sink.ts';
import { T0, sourceBatch } from '../helpers/events.ts';
import { RecordingMetrics, deferred } from '../helpers/fakes.ts';

const DECODE = { maxBytes: 2048, payloadBytes: 64 };

describe('cataloguePipeline', () => {
  it('applies every valid update, dead-letters every other record with its reason, stores both, then acknowledges', async () => {
    const catalogue = new Catalogue({ maxItems: 100, vectorDims: 0, attributeDims: 16 });
    const target = { applyItemUpdate: (update: ItemUpdate) => catalogue.apply(update) };
    const stored = deferred();
    const appended: AnalyticsRows[] = [];
    const metrics = new RecordingMetrics();
    const source = sourceBatch(
      [
        { item_id: 'a', ts: T0, category_id: 'c1', vector: [1, 0, 0] },
        'not json',
        { item_id: 'b', ts: T0, vector: [0, 1] },
        { item_id: 'a', ts: T0 - 1, category_id: 'c2' },
        { item_id: 'c', ts: T0, brand: 'Acme', price: 5, stock: 0, text: 'a small thing' },
        { item_id: 'd', ts: T0, colour: 'red' },
        { item_id: 'a', ts: T0 + 1, category_id: 'c1', vector: [0.9, 0.1, 0] },
      ],
      { topic: 'items', firstOffset: 10 },
    );
    const done = firstValueFrom(
      of(source).pipe(
        cataloguePipeline({
          decode: DECODE,
          target,
          appendAnalytics: async (rows) => {
            appended.push(rows);
            await stored.promise;
          },
          metrics,
        }),
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 0));
    // The catalogue already holds the updates; the offsets wait for the store.
    expect(catalogue.size).toBe(2);
    expect(catalogue.inStock('c')).toBe(false);
    expect(source.acks).toBe(0);
    stored.resolve();
    const out = await done;
    expect(source.acks).toBe(1);
    expect(out.outcomes).toEqual({ new: 2, updated: 1, stale: 1 });
    expect(appended).toHaveLength(1);
    expect(appended[0]?.items?.map((i) => [i.update.item_id, i.origin.offset])).toEqual([['a', '10'], ['a', '13'], ['c', '14'], ['a', '16']]);
    expect(appended[0]?.deadLetters.map((d) => [d.origin.offset, d.reason, d.message])).toEqual([
      ['11', 'REC_DECODE', expect.stringContaining('not valid JSON')],
      ['15', 'REC_SCHEMA', 'item update: unknown field "colour"'],
      ['12', 'REC_SCHEMA', expect.stringContaining('vector has 2 dimensions')],
    ]);
    // Every record is in exactly one of the two lists.
    expect((appended[0]?.items?.length ?? 0) + (appended[0]?.deadLetters.length ?? 0)).toBe(source.records.length);
    expect(metrics.of('itemUpdates')).toEqual([['new', 2], ['updated', 1], ['stale', 1]]);
    expect(metrics.of('eventsInvalid')).toEqual([['REC_DECODE', 1], ['REC_SCHEMA', 2]]);
  });

  it('fails the stream on anything but a refused update, so nothing after it is acknowledged', async () => {
    const target = {
      applyItemUpdate: (): 'new' => {
        throw new Error('disk on fire');
      },
    };
    const source = sourceBatch([{ item_id: 'a', ts: T0 }]);
    await expect(firstValueFrom(of(source).pipe(cataloguePipeline({ decode: DECODE, target, appendAnalytics: async () => undefined, metrics: new RecordingMetrics() })))).rejects.toThrow('disk on fire');
    expect(source.acks).toBe(0);
  });
});
