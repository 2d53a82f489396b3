import { describe, expect, it } from 'vitest';
import { CandidateState } from '../../../src/domain/candidate-state.ts';
import type { BehaviourEvent } from '../../../src/domain/event.ts';
import { mulberry32 } from '../../../src/domain/random.ts';
import { SessionWindows } from '../../../src/domain/session-windows.ts';
import { captureCheckpoint, restoreGlobal, restorePartition, type CapturedCheckpoint, type CheckpointParts } from '../../../src/runtime/checkpoint.ts';
import { CANDIDATES } from '../helpers/fakes.ts';

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 0, 1);
const OPTIONS = { lastItems: 20, maxEventsPerSession: 50, inactivityMs: 30 * MINUTE, allowedLatenessMs: MINUTE, maxSessions: 40 };

function fresh(): CheckpointParts {
  return {
    instance: 'test',
    topic: 'events',
    windows: new SessionWindows(OPTIONS),
    candidates: new CandidateState({ ...CANDIDATES, knnMaxSessions: 30, covisitMaxItems: 60, trendingMaxItems: 50, maxUsers: 10 }),
    modelVersion: () => 'v',
    deltaPositions: () => new Map([[0, '42']]),
    deltaSeq: () => 7,
  };
}

/** Deterministic synthetic traffic: sessions over 80 items in 4 categories, some users and purchases. */
function traffic(seed: number, count: number, start: number): BehaviourEvent[] {
  const random = mulberry32(seed);
  const out: BehaviourEvent[] = [];
  for (let i = 0; i < count; i += 1) {
    const session = `s${Math.floor(random() * 60)}`;
    const item = Math.floor(random() * 80);
    const type = random() < 0.05 ? 'purchase' : 'view';
    out.push({ event_id: `${seed}-${i}`, type, ts: start + i * 1000, session_id: session, item_id: `i${item}`, category_id: `c${item % 4}`, ...(random() < 0.3 ? { user_id: `u${Math.floor(random() * 15)}` } : {}) });
  }
  return out;
}

/** The engine's learning loop for one partition, without the pipeline: window, learn, build lists. */
function feed(parts: CheckpointParts, events: readonly BehaviourEvent[]): string[][] {
  const lists: string[][] = [];
  const sessions = parts.windows.of(0);
  for (const event of events) {
    const before = sessions.get(event.session_id)?.request(event.ts) ?? { sequence: [], categories: new Map(), purchased: new Map(), now: event.ts };
    const outcome = sessions.apply(event, event.ts);
    if (outcome.kind !== 'applied') continue;
    parts.candidates.observe(event, before, event.ts);
    parts.candidates.commitBatch();
    sessions.expire();
    lists.push(parts.candidates.recommender.recommend(outcome.session.request(), 10).map((item) => `${item.item_id}:${item.score}`));
  }
  return lists;
}

describe('checkpoints', () => {
  it('restore gives the same state: the same lists now and after more learning', () => {
    const original = fresh();
    feed(original, traffic(1, 600, T0));
    const checkpoint = JSON.parse(JSON.stringify(captureCheckpoint(original, new Map([[0, '600']]), 123))) as CapturedCheckpoint;

    const restored = fresh();
    const outcome = restoreGlobal(checkpoint.global, restored);
    expect(outcome?.deltaPositions).toEqual(new Map([[0, '42']]));
    expect(outcome?.known).toEqual({ origin: 'test', seq: 7 });
    expect(outcome?.rankerRestored).toBe(true);
    expect(checkpoint.partitions).toHaveLength(1);
    const partition = checkpoint.partitions[0];
    if (partition === undefined) throw new Error('no partition checkpoint');
    expect(restorePartition(partition, restored.windows, 'events')).toBe('600');
    expect(restored.windows.of(0).size).toBe(original.windows.of(0).size);
    expect(restored.windows.of(0).size).toBeGreaterThan(0);

    const next = traffic(2, 400, T0 + 600_000);
    expect(feed(restored, next)).toEqual(feed(original, next));
    expect(JSON.stringify(captureCheckpoint(restored, new Map(), 1).global.candidates)).toBe(JSON.stringify(captureCheckpoint(original, new Map(), 1).global.candidates));
  });

  it('differs from starting empty (the test would catch a restore that does nothing)', () => {
    const original = fresh();
    feed(original, traffic(1, 600, T0));
    const next = traffic(2, 50, T0 + 600_000);
    expect(feed(fresh(), next)).not.toEqual(feed(original, next));
  });

  it('refuses a checkpoint of another topic, and ranker weights of other features', () => {
    const original = fresh();
    feed(original, traffic(3, 100, T0));
    const checkpoint = captureCheckpoint(original, new Map([[0, '100']]), 1);
    expect(restoreGlobal({ ...checkpoint.global, topic: 'other' }, fresh())).toBeNull();
    const partition = checkpoint.partitions[0];
    if (partition === undefined) throw new Error('no partition checkpoint');
    expect(restorePartition({ ...partition, topic: 'other' }, fresh().windows, 'events')).toBeNull();
    const odd = { ...checkpoint.global, candidates: { ...checkpoint.global.candidates, ranker: { ...checkpoint.global.candidates.ranker, features: ['bias'] } } };
    expect(restoreGlobal(odd, fresh())?.rankerRestored).toBe(false);
  });
});
