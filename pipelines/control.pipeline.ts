import { concatMap, from, map, pipe, type OperatorFunction } from 'rxjs';
import type { Decoded, RawRecord } from '../src/domain/decode.ts';
import type { DeadLetter } from '../src/domain/event.ts';
import type { AnalyticsRows } from '../src/ports/analytics-sink.ts';
import type { SourceBatch } from '../src/ports/event-source.ts';
import { acknowledge } from './operators/acknowledge.ts';

export interface ControlBatch<T> {
  readonly source: SourceBatch;
  readonly values: readonly T[];
  readonly deadLetters: readonly DeadLetter[];
}

export interface ControlPipelineDeps<T> {
  /** One record of the topic as a value, or its dead letter. */
  readonly decode: (record: RawRecord) => Decoded<T>;
  /** Carries out one value (already retrying); resolves when done. */
  readonly execute: (value: T) => Promise<void>;
  /** Dead-letter write (already retrying); resolves when stored. */
  readonly appendAnalytics: (rows: AnalyticsRows) => Promise<void>;
}

/**
 * A control stream (commands, business rules): decode → carry out each value in order → dead letters
 * → acknowledge. A batch's offset is committed only after every value in it was carried out and its
 * bad records stored.
 */
export function controlPipeline<T>(deps: ControlPipelineDeps<T>): OperatorFunction<SourceBatch, ControlBatch<T>> {
  return pipe(
    map((source): ControlBatch<T> => {
      const values: T[] = [];
      const deadLetters: DeadLetter[] = [];
      for (const record of source.records) {
        const result = deps.decode({ origin: { topic: source.topic, partition: source.partition, offset: record.offset }, key: record.key, value: record.value, receivedAt: source.receivedAt });
        if (result.ok) values.push(result.value);
        else deadLetters.push(result.deadLetter);
      }
      return { source, values, deadLetters };
    }),
    concatMap((batch) =>
      from(
        (async () => {
          for (const value of batch.values) await deps.execute(value);
          await deps.appendAnalytics({ events: [], recommendations: [], deadLetters: batch.deadLetters });
          return batch;
        })(),
      ),
    ),
    acknowledge<ControlBatch<T>>(),
  );
}
