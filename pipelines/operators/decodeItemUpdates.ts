import { map, type OperatorFunction } from 'rxjs';
import { decodeItemUpdate, type DecodeOptions } from '../../src/domain/decode.ts';
import type { DeadLetter } from '../../src/domain/event.ts';
import type { IngestedItemUpdate } from '../../src/domain/item-update.ts';
import type { SourceBatch } from '../../src/ports/event-source.ts';
import type { DecodedItemBatch } from '../types.ts';

/**
 * Splits each batch of the item-updates topic into schema-valid updates and dead letters with their
 * reason; every record ends up in exactly one of the two lists.
 *
 * @example itemSource.batches().pipe(decodeItemUpdates({ maxBytes: 65536, payloadBytes: 4096 }))
 */
export function decodeItemUpdates(options: DecodeOptions): OperatorFunction<SourceBatch, DecodedItemBatch> {
  return map((source) => {
    const updates: IngestedItemUpdate[] = [];
    const deadLetters: DeadLetter[] = [];
    for (const record of source.records) {
      const origin = { topic: source.topic, partition: source.partition, offset: record.offset };
      const result = decodeItemUpdate({ origin, key: record.key, value: record.value, receivedAt: source.receivedAt }, options);
      if (result.ok) updates.push({ update: result.value, origin, receivedAt: source.receivedAt });
      else deadLetters.push(result.deadLetter);
    }
    return { source, updates, deadLetters };
  });
}
