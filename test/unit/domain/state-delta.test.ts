import { describe, expect, it } from 'vitest';
import { CandidateState } from '../../../src/domain/candidate-state.ts';
import type { BehaviourEvent } from '../../../src/domain/event.ts';
import { mulberry32 } from '../../../src/domain/random.ts';
import { SessionWindows } from '../../../src/domain/session-windows.ts';
import { buildDeltas, checkDelta, decodeParameters, DeltaSequence, encodeParameters, isEmptyDelta, type DeltaParts, type Observation } from '../../../src/domain/state-delta.ts';
import { CANDIDATES } from '../helpers/fakes.ts';

const T0 = Date.UTC(2026, 0, 1);
const WINDOWS = { lastItems: 20, maxEventsPerSession: 50, inactivityMs: 30 * 60_000, allowedLatenessMs: 60_000, maxSessions: 400 };
const OPTIONS = { ...CANDIDATES, knnMaxSessions: 300, covisitMaxItems: 600, trendingMaxItems: 500, maxUsers: 100 };

function traffic(seed: number, count: number): BehaviourEvent[] {
  const random = mulberry32(seed);
  const out: BehaviourEvent[] = [];
  for (let i = 0; i < count; i += 1) {
    const item = Math.floor(random() * 80);
    const type = random() < 0.05 ? 'purchase' : random() < 0.1 ? 'add_to_cart' : 'view';
    out.push({ event_id: `${seed}-${i}`, type, ts: T0 + i * 1000, session_id: `s${Math.floor(random() * 60)}`, item_id: `i${item}`, category_id: `c${item % 4}`, ...(random() < 0.3 ? { user_id: `u${Math.floor(random() * 15)}` } : {}) });
  }
  return out;
}

const observation = (i: number): Observation => ({ event: { event_id: `e${i}`, type: 'view', ts: T0 + i, session_id: 's1', item_id: `i${i}` }, ingestedAt: T0 + i, previous: [`i${i - 1}`] });

function parts(observations: Observation[], ranker: Float64Array | null = null): DeltaParts {
  return { origin: 'a', partition: 3, lastOffset: '99', observations, counts: [{ session: 's1', item: 'i1', category: null, weight: 1, ts: T0 }], examples: [{ context: ['i1'], target: 'i2' }], ranker };
}

describe('state deltas', () => {
  it('splits a large batch into numbered records under the size bound, with the ranker change on the last only', () => {
    const sequence = new DeltaSequence(1000);
    const all = Array.from({ length: 400 }, (_, i) => observation(i + 1));
    const deltas = buildDeltas(parts(all, Float64Array.of(0.5, -0.25)), sequence, T0, 4096);
    expect(deltas.length).toBeGreaterThan(5);
    expect(deltas.map((delta) => delta.seq)).toEqual(deltas.map((_, i) => 1000 + i));
    expect(sequence.last).toBe(1000 + deltas.length - 1);
    for (const delta of deltas) expect(JSON.stringify(delta.observations).length).toBeLessThan(4096 + 400);
    expect(deltas.flatMap((delta) => delta.observations)).toEqual(all);
    expect(deltas.filter((delta) => delta.ranker !== undefined)).toEqual([deltas.at(-1)]);
    expect([...decodeParameters(deltas.at(-1)?.ranker ?? '')]).toEqual([0.5, -0.25]);
    for (const delta of deltas) expect(checkDelta(JSON.parse(JSON.stringify(delta)))).toEqual({ ok: true, value: delta });
  });

  it('knows an empty contribution', () => {
    expect(isEmptyDelta({ ...parts([]), counts: [], examples: [] })).toBe(true);
    expect(isEmptyDelta({ ...parts([]), counts: [], examples: [], ranker: Float64Array.of(1) })).toBe(false);
  });

  it('names what is wrong with a bad record', () => {
    const [good] = buildDeltas(parts([observation(1)]), new DeltaSequence(1), T0);
    const bad = (change: Record<string, unknown>): string => {
      const result = checkDelta({ ...good, ...change });
      return result.ok ? 'ok' : result.error;
    };
    expect(bad({})).toBe('ok');
    expect(checkDelta('x')).toEqual({ ok: false, error: 'delta is not a JSON object' });
    expect(bad({ format: 2 })).toBe('delta format 2 is not 1');
    expect(bad({ origin: '' })).toBe('delta origin is missing');
    expect(bad({ seq: 1.5 })).toBe('delta seq is not an integer');
    expect(bad({ lastOffset: '-1' })).toBe('delta lastOffset is not an offset');
    expect(bad({ observations: [{ event: { type: 'view' }, ingestedAt: 1, previous: [] }] })).toMatch(/^observations\[0\]\.event: /);
    expect(bad({ observations: [{ ...observation(1), previous: [1] }] })).toBe('observations[0].previous is not a list of item ids');
    expect(bad({ counts: [{ session: 's', item: 'i', category: 3, weight: 1, ts: 1 }] })).toBe('counts[0].category is not a string or null');
    expect(bad({ examples: [{ context: 'i1', target: 'i2' }] })).toBe('examples[0] is not { context: string[], target: string }');
    expect(bad({ ranker: 'AAAA' })).toBe('delta ranker is not base64 of Float64 values');
  });

  it('round-trips parameters exactly', () => {
    const values = Float64Array.of(Math.PI, -1e-300, 0, 12345.678);
    expect([...decodeParameters(encodeParameters(values))]).toEqual([...values]);
  });
});

/** One engine process: the sessions of the partitions it owns, and the shared candidate state. */
function process(): { windows: SessionWindows; candidates: CandidateState } {
  return { windows: new SessionWindows(WINDOWS), candidates: new CandidateState(OPTIONS) };
}

function learn(owner: ReturnType<typeof process>, event: BehaviourEvent): { observation: Observation; counts: ReturnType<CandidateState['commitBatch']> } {
  const sessions = owner.windows.of(0);
  const before = sessions.get(event.session_id)?.request(event.ts) ?? { sequence: [], categories: new Map(), purchased: new Map(), now: event.ts };
  sessions.apply(event, event.ts);
  const observation = owner.candidates.observe(event, before, event.ts);
  return { observation: JSON.parse(JSON.stringify(observation)) as Observation, counts: owner.candidates.commitBatch() };
}

const shared = (state: CandidateState): string => {
  const { ranker: _ranker, held: _held, learnTick: _tick, ...rest } = state.snapshot();
  return JSON.stringify(rest);
};

describe('shared state across processes', () => {
  it('two processes that each read half the sessions and apply each other\'s deltas hold what one process reading everything holds', () => {
    const single = process();
    const owners = [process(), process()];
    for (const event of traffic(7, 1500)) {
      learn(single, event);
      const mine = Number(event.session_id.slice(1)) % 2;
      const owner = owners[mine];
      const other = owners[1 - mine];
      if (owner === undefined || other === undefined) throw new Error('two owners');
      const { observation, counts } = learn(owner, event);
      other.candidates.absorb(observation);
      other.candidates.absorbCounts(counts);
      other.candidates.refresh();
      const change = owner.candidates.recommender.ranker.shared.take();
      if (change !== null) expect(other.candidates.recommender.ranker.applyShared(decodeParameters(encodeParameters(change)))).toBe(true);
      other.candidates.recommender.ranker.shared.take();
    }
    const [a, b] = owners;
    if (a === undefined || b === undefined) throw new Error('two owners');
    expect(shared(a.candidates)).toBe(shared(single.candidates));
    expect(shared(b.candidates)).toBe(shared(single.candidates));
    const weights = (state: CandidateState): number[] => [...state.snapshot().ranker.weights.click];
    expect(weights(a.candidates)).toEqual(weights(b.candidates).map((value) => expect.closeTo(value, 9)));
    expect(weights(a.candidates)).not.toEqual(weights(process().candidates));
  });

  it('a ranker change applied elsewhere is not sent back', () => {
    const a = process();
    const b = process();
    for (const event of traffic(3, 200)) learn(a, event);
    const change = a.candidates.recommender.ranker.shared.take();
    expect(change).not.toBeNull();
    expect(a.candidates.recommender.ranker.shared.take()).toBeNull();
    expect(b.candidates.recommender.ranker.applyShared(change ?? new Float64Array())).toBe(true);
    expect(b.candidates.recommender.ranker.shared.take()).toBeNull();
    expect(b.candidates.recommender.ranker.applyShared(new Float64Array(3))).toBe(false);
    expect(b.candidates.recommender.ranker.applyShared(new Float64Array(change?.length ?? 0).fill(Number.NaN))).toBe(false);
  });
});
