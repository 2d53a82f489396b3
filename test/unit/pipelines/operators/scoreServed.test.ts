import { firstValueFrom, of } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { scoreServed } from '../../../../pipelines/operators/scoreServed.ts';
import { sessionWindow } from '../../../../pipelines/operators/sessionWindow.ts';
import { SessionWindows } from '../../../../src/domain/session-windows.ts';
import { MINUTE, T0, decodedBatch, event } from '../../helpers/events.ts';

const windows = (): SessionWindows =>
  new SessionWindows({ lastItems: 20, maxEventsPerSession: 100, inactivityMs: 30 * MINUTE, allowedLatenessMs: MINUTE, maxSessions: 100 });

describe('scoreServed', () => {
  it('scores each next item against the list served to its session before the batch', async () => {
    const w = windows();
    await firstValueFrom(of(decodedBatch([event({ session_id: 's', item_id: 'a', ts: T0 })])).pipe(sessionWindow(w)));
    const session = w.of(0).get('s');
    if (session === undefined) throw new Error('session missing');
    session.served = ['b', 'c', 'd'];
    const batch = decodedBatch([
      event({ session_id: 's', item_id: 'c', ts: T0 + 1000 }),
      event({ session_id: 's', item_id: 'c', ts: T0 + 2000 }),
      event({ session_id: 's', item_id: 'z', ts: T0 + 3000 }),
      event({ session_id: 's', type: 'search', item_id: 'b', ts: T0 + 4000 }),
      event({ session_id: 'new', item_id: 'b', ts: T0 + 5000 }),
    ]);
    const scored = await firstValueFrom(of(batch).pipe(sessionWindow(w), scoreServed()));
    // c: hit at rank 2; c again: no step; z: miss; a search is no next item; a new session had no list.
    expect(scored.online).toEqual({ predictions: 2, hits: 1, reciprocalRankSum: 0.5 });
  });
});
