import type { Config } from '../config/config.ts';
import { CandidateState } from '../domain/candidate-state.ts';
import type { BehaviourEvent } from '../domain/event.ts';
import { emptyRequest, type RecommendRequest } from '../domain/recommender/recommender.ts';
import { SessionWindows } from '../domain/session-windows.ts';

export interface SliceFigures {
  /** Events scored in this slice. */
  readonly rows: number;
  /** Scored events whose item was in the top 20. */
  readonly hits: number;
  readonly hr20: number;
  readonly mrr20: number;
}

/**
 * Picks the events a comparison scores: called for every event, in time order, before it is learned,
 * with the request of its session just before it; returns the slice the event is scored in, or null.
 * One picker per replay (it may keep state across calls).
 */
export type Picker = (event: BehaviourEvent, before: RecommendRequest) => number | null;

export interface ArmResult {
  /** Per slice: the engine's top 20 as the arm builds it, and the 20 most popular items then. */
  readonly engine: readonly SliceFigures[];
  readonly popularity: readonly SliceFigures[];
}

/** Micro-batch length of the replays, as in the other evaluations. */
const BATCH = 500;
const K = 20;

interface Tally {
  rows: number;
  hits: number;
  reciprocal: number;
}

/**
 * Replays time-ordered events once through the engine's state built with `candidates`: every event
 * the picker chooses is scored (HR@20, MRR@20 of its item in the list the engine would show just
 * before it, the shopper's profile included) and then learned, like every other event. Two arms of a
 * comparison are two replays of the same events that differ only in `candidates`.
 */
export function replayArm(events: readonly BehaviourEvent[], candidates: Config['candidates'], config: Config, slices: number, picker: Picker): ArmResult {
  const state = new CandidateState(candidates);
  // Replayed history is in time order; nothing here is late.
  const windows = SessionWindows.fromConfig({ ...config.sessions, allowedLatenessMs: Number.MAX_SAFE_INTEGER }).of(0);
  const engine = Array.from({ length: slices }, tally);
  const popular = Array.from({ length: slices }, tally);
  let sinceCommit = 0;
  for (const event of events) {
    const before = windows.get(event.session_id)?.request(event.ts) ?? emptyRequest(event.ts, event.session_id);
    const slice = picker(event, before);
    const item = event.item_id;
    if (slice !== null && item !== undefined) {
      score(engine[slice], state.recommender.recommend(state.withProfile(before, event.user_id), K).map((entry) => entry.item_id), item);
      score(popular[slice], state.popularity.top(K).map((entry) => entry.item), item);
    }
    state.observe(event, before, 0);
    windows.apply(event, 0);
    sinceCommit += 1;
    if (sinceCommit >= BATCH) {
      state.commitBatch();
      windows.expire();
      sinceCommit = 0;
    }
  }
  return { engine: engine.map(figures), popularity: popular.map(figures) };
}

/** The figures of several slices together. */
export function pooled(slices: readonly SliceFigures[]): SliceFigures {
  let rows = 0;
  let hits = 0;
  let reciprocal = 0;
  for (const s of slices) {
    rows += s.rows;
    hits += s.hits;
    reciprocal += (s.mrr20 / 100) * s.rows;
  }
  return { rows, hits, hr20: round2((100 * hits) / Math.max(1, rows)), mrr20: round2((100 * reciprocal) / Math.max(1, rows)) };
}

function tally(): Tally {
  return { rows: 0, hits: 0, reciprocal: 0 };
}

function score(t: Tally | undefined, list: readonly string[], target: string): void {
  if (t === undefined) return;
  t.rows += 1;
  const rank = list.indexOf(target);
  if (rank >= 0) {
    t.hits += 1;
    t.reciprocal += 1 / (rank + 1);
  }
}

function figures(t: Tally): SliceFigures {
  return { rows: t.rows, hits: t.hits, hr20: round2((100 * t.hits) / Math.max(1, t.rows)), mrr20: round2((100 * t.reciprocal) / Math.max(1, t.rows)) };
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
