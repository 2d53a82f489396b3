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
  await lastValueFrom(of(decodedBatch(events)).pipe(sessionWindow(windows()), learnModel((examples) => calls.push([...examples]), batchSize), toArray()));
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

  it('trains nothing when no event has a history', async () => {
    expect(await examplesOf([event({ session_id: 'a', item_id: 'x' }), event({ session_id: 'b', item_id: 'y' })], 64)).toEqual([]);
  });
});
