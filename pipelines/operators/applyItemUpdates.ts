import { map, type OperatorFunction } from 'rxjs';
import { deadLetterOf, type DecodeOptions } from '../../src/domain/decode.ts';
import type { DeadLetter } from '../../src/domain/event.ts';
import type { IngestedItemUpdate, ItemUpdate } from '../../src/domain/item-update.ts';
import { RecError } from '../../src/errors.ts';
import type { AppliedItemBatch, DecodedItemBatch } from '../types.ts';

/** What takes item updates (the engine's candidate state). */
export interface ItemUpdateTarget {
  applyItemUpdate(update: ItemUpdate): 'new' | 'updated' | 'stale';
}

/**
 * Applies each update to the catalogue in offset order. An update the catalogue refuses (a vector of
 * the wrong length) becomes a dead letter with its reason, so it is never silently dropped.
 *
 * @example decoded$.pipe(applyItemUpdates(candidates, { maxBytes: 65536, payloadBytes: 4096 }))
 */
export function applyItemUpdates(target: ItemUpdateTarget, options: DecodeOptions): OperatorFunction<DecodedItemBatch, AppliedItemBatch> {
  return map((batch) => {
    const outcomes = { new: 0, updated: 0, stale: 0 };
    const taken: IngestedItemUpdate[] = [];
    const deadLetters: DeadLetter[] = [...batch.deadLetters];
    for (const ingested of batch.updates) {
      try {
        outcomes[target.applyItemUpdate(ingested.update)] += 1;
        taken.push(ingested);
      } catch (error) {
        if (!(error instanceof RecError) || error.code !== 'REC_SCHEMA') throw error;
        // Refusals are rare: look the raw record up only for them.
        const record = batch.source.records.find((r) => r.offset === ingested.origin.offset);
        deadLetters.push(deadLetterOf({ origin: ingested.origin, key: record?.key ?? null, value: record?.value ?? null, receivedAt: ingested.receivedAt }, options, 'REC_SCHEMA', error.message));
      }
    }
    return { source: batch.source, updates: taken, deadLetters, outcomes };
  });
}
