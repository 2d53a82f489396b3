import { performance } from 'node:perf_hooks';
import type { CandidateState } from '../domain/candidate-state.ts';
import { RankingMetrics, jaccard } from './metrics.ts';
import type { TestPrefix } from './srgnn-data.ts';

export type Ranked = (prefix: readonly string[]) => string[];

export interface Slices {
  /** Prefixes whose last item's category differs from the two before it; null without item categories. */
  readonly intentShift: { readonly rows: number; readonly hr20: number; readonly newCategoryShare: number } | null;
  /** Median Jaccard of consecutive top-20 lists of a session (same-category steps when categories are known). */
  readonly stability: { readonly pairs: number; readonly medianJaccard: number; readonly sameCategoryOnly: boolean };
  /**
   * Cold start: prefixes of at most `COLD_START_EVENTS` events (the session's first one or two), HR@20
   * per recommender and the engine's against popularity's.
   */
  readonly coldStart: { readonly rows: number; readonly hr20: Readonly<Record<string, number>>; readonly engineToPopularity: number | null };
  /** Long tail: prefixes whose target had fewer than `LONG_TAIL_INTERACTIONS` training events, HR@20 per recommender. */
  readonly longTail: { readonly rows: number; readonly hr20: Readonly<Record<string, number>> };
}

/** A target with fewer training events than this is in the long tail. */
export const LONG_TAIL_INTERACTIONS = 5;

/** A prefix this short is a session's start. */
export const COLD_START_EVENTS = 2;

export interface ScoreResult {
  readonly metrics: Record<string, ReturnType<RankingMetrics['summary']> & { readonly seconds: number; readonly predictionsPerSecond: number }>;
  readonly slices: Slices;
}

const K = 20;

/** Pads a list to 20 with the most popular items it does not hold yet. */
export function fill(list: string[], popular: readonly string[]): string[] {
  const seen = new Set(list);
  for (const item of popular) {
    if (list.length >= K) break;
    if (!seen.has(item)) {
      list.push(item);
      seen.add(item);
    }
  }
  return list.slice(0, K);
}

function collapse(prefix: readonly string[]): string[] {
  const out: string[] = [];
  for (const item of prefix) if (out.at(-1) !== item) out.push(item);
  return out;
}

/** The recommenders scored in one run: the engine and the simple baselines, all over the same learned state. */
export function recommenders(state: CandidateState, counts: ReadonlyMap<string, number>, now: number): Record<string, Ranked> {
  const popular = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([item]) => item);
  const top = popular.slice(0, 200);
  const empty = new Map<string, number>();
  return {
    engine: (prefix) =>
      fill(
        state.recommender.recommend({ sequence: collapse(prefix), categories: empty, purchased: empty, now }, K).map((item) => item.item_id),
        top,
      ),
    popularity: () => top.slice(0, K),
    covisitation: (prefix) => {
      const scores = new Map<string, number>();
      const recent = [...new Set([...prefix].reverse())].slice(0, 5);
      recent.forEach((item, rank) => {
        const neighbours = state.covisit.neighbours(item, 100);
        const max = neighbours[0]?.score ?? 0;
        for (const n of neighbours) scores.set(n.item, (scores.get(n.item) ?? 0) + (0.6 ** rank * n.score) / (max || 1));
      });
      return fill([...scores.entries()].sort((a, b) => b[1] - a[1]).slice(0, K).map(([item]) => item), top);
    },
    'v-sknn': (prefix) => fill(state.knn.recommend(prefix, K).map((entry) => entry.item), top),
  };
}

/** Scores every prefix with every recommender; the slices are computed for the engine. */
export function scorePrefixes(
  rows: readonly TestPrefix[],
  ranked: Record<string, Ranked>,
  catalogue: number,
  categoryOf: ((item: string) => string | undefined) | null,
  onProgress: (done: number) => void,
  trainCounts: ReadonlyMap<string, number> = new Map(),
): ScoreResult {
  const metrics: ScoreResult['metrics'] = {};
  const engineLists = new Map<string, string[]>();
  const cold: Record<string, number> = {};
  let coldRows = 0;
  const tail: Record<string, number> = {};
  let tailRows = 0;
  for (const [name, recommend] of Object.entries(ranked)) {
    const m = new RankingMetrics();
    const coldMetrics = new RankingMetrics();
    const tailMetrics = new RankingMetrics();
    const started = performance.now();
    rows.forEach((row, i) => {
      const list = recommend(row.prefix);
      m.add(list, row.target);
      if (row.prefix.length <= COLD_START_EVENTS) coldMetrics.add(list, row.target);
      if ((trainCounts.get(row.target) ?? 0) < LONG_TAIL_INTERACTIONS) tailMetrics.add(list, row.target);
      if (name === 'engine') engineLists.set(row.prefix.join(' '), list);
      if (name === 'engine' && i % 2000 === 0) onProgress(i);
    });
    const seconds = (performance.now() - started) / 1000;
    metrics[name] = { ...m.summary(catalogue), seconds: Math.round(seconds * 10) / 10, predictionsPerSecond: Math.round(rows.length / Math.max(seconds, 1e-6)) };
    const coldSummary = coldMetrics.summary(catalogue);
    cold[name] = coldSummary.hr20;
    coldRows = coldSummary.rows;
    const tailSummary = tailMetrics.summary(catalogue);
    tail[name] = tailSummary.hr20;
    tailRows = tailSummary.rows;
  }
  onProgress(rows.length);
  const engine = cold['engine'];
  const popularity = cold['popularity'];
  const engineToPopularity = engine === undefined || popularity === undefined || popularity === 0 ? null : Math.round((100 * engine) / popularity) / 100;
  return { metrics, slices: { ...slices(rows, engineLists, categoryOf), coldStart: { rows: coldRows, hr20: cold, engineToPopularity }, longTail: { rows: tailRows, hr20: tail } } };
}

function slices(rows: readonly TestPrefix[], lists: ReadonlyMap<string, string[]>, categoryOf: ((item: string) => string | undefined) | null): Omit<Slices, 'coldStart' | 'longTail'> {
  const similarities: number[] = [];
  let shiftRows = 0;
  let shiftHits = 0;
  let shiftShare = 0;
  for (const row of rows) {
    const list = lists.get(row.prefix.join(' '));
    if (list === undefined) continue;
    const last = row.prefix.at(-1);
    const category = last === undefined || categoryOf === null ? undefined : categoryOf(last);
    if (categoryOf !== null && row.prefix.length >= 3 && category !== undefined) {
      const before = row.prefix.slice(-3, -1).map(categoryOf);
      if (before.every((c) => c !== undefined && c !== category)) {
        shiftRows += 1;
        if (list.includes(row.target)) shiftHits += 1;
        shiftShare += list.filter((item) => categoryOf(item) === category).length / Math.max(1, list.length);
      }
    }
    if (row.prefix.length >= 2) {
      const previous = lists.get(row.prefix.slice(0, -1).join(' '));
      const sameCategory = categoryOf === null || (last !== undefined && categoryOf(last) === categoryOf(row.prefix.at(-2) ?? ''));
      if (previous !== undefined && sameCategory) similarities.push(jaccard(previous, list));
    }
  }
  similarities.sort((a, b) => a - b);
  const middle = (similarities.length - 1) / 2;
  const median = similarities.length === 0 ? 0 : ((similarities[Math.floor(middle)] ?? 0) + (similarities[Math.ceil(middle)] ?? 0)) / 2;
  return {
    intentShift:
      categoryOf === null
        ? null
        : { rows: shiftRows, hr20: Math.round((10000 * shiftHits) / Math.max(1, shiftRows)) / 100, newCategoryShare: Math.round((10000 * shiftShare) / Math.max(1, shiftRows)) / 100 },
    stability: { pairs: similarities.length, medianJaccard: Math.round(median * 1000) / 1000, sameCategoryOnly: categoryOf !== null },
  };
}
