import type { Config } from '../config/config.ts';
import { FEATURES } from '../domain/recommender/features.ts';
import { scorePrefixes, recommenders, type ScoreResult } from './score.ts';
import { itemCategories, readTestPrefixes } from './srgnn-data.ts';
import type { AbuseReport } from './bots.ts';
import { trainOnline, type AttackPlan, type TrainResult } from './train.ts';

export interface EvalOptions {
  readonly dataDir: string;
  readonly config: Config;
  readonly onTrain?: (sessions: number, events: number) => void;
  readonly onScore?: (done: number, total: number) => void;
  /** A bot attack injected into the training stream (`npm run eval:abuse`). */
  readonly attack?: AttackPlan;
}

export interface EvalReport {
  readonly dataDir: string;
  readonly train: { readonly sessions: number; readonly events: number; readonly seconds: number; readonly eventsPerSecond: number; readonly rankerUpdates: number };
  readonly model: TrainResult['model'];
  readonly test: { readonly prefixes: number; readonly catalogue: number };
  readonly metrics: ScoreResult['metrics'];
  readonly slices: ScoreResult['slices'];
  /** The click head's learned weights, by feature. */
  readonly rankerWeights: readonly (readonly [string, number])[];
  readonly notes: readonly string[];
  /** What the engine made of the injected attack; absent without one. */
  readonly abuse?: AbuseReport;
}


/**
 * The evaluation: one online pass over the training sessions through the production pipeline, then
 * every test prefix scored by the engine and by the baselines (popularity, co-visitation, V-SKNN),
 * all from the same learned state. Nothing here knows which data set it reads.
 */
export async function runEval(options: EvalOptions): Promise<EvalReport> {
  const notes: string[] = [];
  const trained = await trainOnline(options.dataDir, options.config, options.onTrain ?? (() => undefined), options.attack);
  const rows = await readTestPrefixes(options.dataDir);
  const categoryMap = await itemCategories(options.dataDir);
  if (categoryMap === null) notes.push('no item_categories.csv in the data folder: the intent-shift slice is skipped and stability covers every consecutive pair');
  const result = scorePrefixes(
    rows,
    recommenders(trained.state, trained.counts, trained.testTs),
    trained.counts.size,
    categoryMap === null ? null : (item) => categoryMap.get(item),
    (done) => options.onScore?.(done, rows.length),
    trained.counts,
  );
  return {
    dataDir: options.dataDir,
    train: {
      sessions: trained.sessions,
      events: trained.events,
      seconds: Math.round(trained.seconds * 10) / 10,
      eventsPerSecond: Math.round(trained.events / Math.max(trained.seconds, 1e-6)),
      rankerUpdates: trained.rankerUpdates,
    },
    model: trained.model,
    test: { prefixes: rows.length, catalogue: trained.counts.size },
    metrics: result.metrics,
    slices: result.slices,
    rankerWeights: FEATURES.map((name, f) => [name, Math.round((trained.state.recommender.ranker.weights.click[f] ?? 0) * 1000) / 1000] as const),
    notes,
    ...(options.attack === undefined ? {} : { abuse: options.attack.watch.report() }),
  };
}
