import { map, type OperatorFunction } from 'rxjs';
import { decodeRecord, type DecodeOptions } from '../../src/domain/decode.ts';
import type { DeadLetter, IngestedEvent } from '../../src/domain/event.ts';
import type { SourceBatch } from '../../src/ports/event-source.ts';
import type { DecodedBatch } from '../types.ts';

/**
 * Splits each source batch into schema-valid events and dead letters with their reason.
 * Nothing is dropped: every record ends up in exactly one of the two lists.
 *
 * @example source.batches().pipe(decodeBatch({ maxBytes: 65536, payloadBytes: 4096 }))
 */
export function decodeBatch(options: DecodeOptions): OperatorFunction<SourceBatch, DecodedBatch> {
  return map((source) => {
    const events: IngestedEvent[] = [];
    const deadLetters: DeadLetter[] = [];
    for (const record of source.records) {
      const origin = { topic: source.topic, partition: source.partition, offset: record.offset };
      const result = decodeRecord({ origin, key: record.key, value: record.value, receivedAt: source.receivedAt }, options);
      if (result.ok) events.push({ event: result.event, origin, receivedAt: source.receivedAt, late: false });
      else deadLetters.push(result.deadLetter);
    }
    return { source, events, deadLetters };
  });
}
