import { of, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { learnModel, type ModelExample } from '../../../../pipelines/operators/learnModel.ts';
import { sessionWindow } from '../../../../pipelines/operators/sessionWindow.ts';
import { SessionWindows } from '../../../../src/domain/session-windows.ts';
import { MINUTE, T0, decodedBatch, event } from '../../helpers/events.ts';

const windows = (): SessionWindows =>
  new SessionWindows({ lastItems: 20, maxEventsPerSession: 100, inactivityMs: 30 * MINUTE, allowedLatenessMs: MINUTE, maxSessions: 100 });

async function examplesOf(events: Parameters<typeof decodedBatch>[0], batchSize: number): Promise<ModelExample[][]> {
  const calls: ModelExample[][] = [];
  await lastValueFrom(of(decodedBatch(events)).pipe(sessionWindow(windows()), learnModel((examples) => void calls.push([...examples]), batchSize), toArray()));
  return calls;
}

describe('learnModel', () => {
  it('turns each on-time item event with a history into (context newest first → item) examples, in micro-batches', async () => {
    const calls = await examplesOf(
      [
        event({ session_id: 'a', item_id: 'i1', ts: T0 }),
        event({ session_id: 'a', item_id: 'i2', ts: T0 + 1 }),
        event({ session_id: 'a', item_id: 'i3', ts: T0 + 2 }),
        event({ session_id: 'b', item_id: 'j1', ts: T0 + 3 }),
        { event_id: 'search-1', type: 'search', query: 'shoes', session_id: 'b', ts: T0 + 4 },
        event({ session_id: 'b', item_id: 'j2', ts: T0 + 5 }),
      ],
      2,
    );
    expect(calls).toEqual([
      [
        { context: ['i1'], target: 'i2' },
        { context: ['i2', 'i1'], target: 'i3' },
      ],
      [{ context: ['j1'], target: 'j2' }],
    ]);
  });

  it('waits whenever the model asks, and hands over the remaining micro-batches in order before the batch moves on', async () => {
    const log: string[] = [];
    const train = (examples: readonly ModelExample[]): Promise<void> | undefined => {
      log.push(`train ${examples.map((e) => e.target).join(',')}`);
      // A full queue on the first micro-batch only: the rest go through synchronously.
      return log.length === 1 ? new Promise((resolve) => setTimeout(() => (log.push('freed'), resolve()), 5)) : undefined;
    };
    const items = ['i1', 'i2', 'i3', 'i4', 'i5'].map((item_id, i) => event({ session_id: 'a', item_id, ts: T0 + i }));
    await lastValueFrom(of(decodedBatch(items)).pipe(sessionWindow(windows()), learnModel(train, 2), toArray()));
    log.push('batch done');
    expect(log).toEqual(['train i2,i3', 'freed', 'train i4,i5', 'batch done']);
  });

  it('trains nothing when no event has a history', async () => {
    expect(await examplesOf([event({ session_id: 'a', item_id: 'x' }), event({ session_id: 'b', item_id: 'y' })], 64)).toEqual([]);
  });
});
