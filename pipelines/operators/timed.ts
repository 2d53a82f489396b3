import { tap, type OperatorFunction } from 'rxjs';
import type { SourceBatch } from '../../src/ports/event-source.ts';

/**
 * Wraps a stage and reports, per batch, the time from entering the stage to leaving it (including any
 * wait inside, e.g. for a sink). Batches are matched by their source batch, which every stage carries.
 *
 * @example decoded$.pipe(timed('window', sessionWindow(windows), record, performance.now.bind(performance)))
 */
export function timed<A extends { readonly source: SourceBatch } | SourceBatch, B extends { readonly source: SourceBatch }>(
  stage: string,
  operator: OperatorFunction<A, B>,
  record: (stage: string, seconds: number) => void,
  nowMs: () => number,
): OperatorFunction<A, B> {
  const started = new WeakMap<SourceBatch, number>();
  const keyOf = (value: A): SourceBatch => ('source' in value ? value.source : value);
  return (input) =>
    input.pipe(
      tap((value) => started.set(keyOf(value), nowMs())),
      operator,
      tap((value) => {
        const start = started.get(value.source);
        if (start !== undefined) record(stage, (nowMs() - start) / 1000);
        started.delete(value.source);
      }),
    );
}
