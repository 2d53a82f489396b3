import type { BehaviourEvent } from '../domain/event.ts';
import { mulberry32 } from '../domain/random.ts';
import { RatingModel, type RatingModelOptions } from '../domain/rating-model.ts';

export interface PlantedOptions {
  readonly users: number;
  readonly items: number;
  readonly ratingsPerUser: number;
  /** Rank of the planted interaction term. */
  readonly dim: number;
  readonly seed: number;
}

export interface PlantedRatings {
  readonly events: readonly BehaviourEvent[];
  readonly mean: number;
  readonly userBias: ReadonlyMap<string, number>;
  readonly itemBias: ReadonlyMap<string, number>;
}

const MEAN = 3;
const BIAS_RANGE = 0.5;
const FACTOR_RANGE = 1.0;

/**
 * A rating stream with known parts: r = round(3 + b_u + b_i + p_u·q_i), b_u and b_i uniform in ±0.6
 * (centred, so the planted biases are the ones a regularised model can find), the interaction term
 * within ±0.4; every rating lands in 1..5 without clipping. Users rate random items in random order.
 */
export function plantedRatings(options: PlantedOptions): PlantedRatings {
  const random = mulberry32(options.seed);
  const centred = (n: number): number[] => {
    const values = Array.from({ length: n }, () => (random() * 2 - 1) * BIAS_RANGE);
    const mean = values.reduce((sum, v) => sum + v, 0) / n;
    return values.map((v) => v - mean);
  };
  const bu = centred(options.users);
  const bi = centred(options.items);
  const scale = FACTOR_RANGE / Math.sqrt(options.dim);
  const factors = (n: number): number[][] => Array.from({ length: n }, () => Array.from({ length: options.dim }, () => (random() * 2 - 1) * Math.sqrt(scale)));
  const p = factors(options.users);
  const q = factors(options.items);
  const pairs: [number, number][] = [];
  for (let u = 0; u < options.users; u += 1) {
    const seen = new Set<number>();
    while (seen.size < Math.min(options.ratingsPerUser, options.items)) seen.add(Math.floor(random() * options.items));
    for (const i of seen) pairs.push([u, i]);
  }
  for (let k = pairs.length - 1; k > 0; k -= 1) {
    const j = Math.floor(random() * (k + 1));
    [pairs[k], pairs[j]] = [pairs[j] as [number, number], pairs[k] as [number, number]];
  }
  const ts0 = Date.UTC(2026, 0, 1);
  const events = pairs.map(([u, i], n): BehaviourEvent => {
    let interaction = 0;
    for (let f = 0; f < options.dim; f += 1) interaction += (p[u]?.[f] ?? 0) * (q[i]?.[f] ?? 0);
    const rating = Math.min(5, Math.max(1, Math.round(MEAN + (bu[u] ?? 0) + (bi[i] ?? 0) + interaction)));
    return { event_id: `r${n}`, type: 'rating', ts: ts0 + n * 1000, session_id: `s-u${u}`, user_id: `u${u}`, item_id: `i${i}`, rating };
  });
  return { events, mean: MEAN, userBias: new Map(bu.map((b, u) => [`u${u}`, b])), itemBias: new Map(bi.map((b, i) => [`i${i}`, b])) };
}

export interface CfReport {
  readonly ratings: number;
  /** Prequential RMSE of the full model, the bias-only model and the running mean. */
  readonly rmse: { readonly cf: number; readonly biasOnly: number; readonly mean: number };
  /** |learned − planted| of the biases: mean, 95th percentile, max; and the share within ±0.1. */
  readonly userBias: BiasError;
  readonly itemBias: BiasError;
}

export interface BiasError {
  readonly mean: number;
  readonly p95: number;
  readonly max: number;
  readonly within01: number;
}

/** Learns the stream online with the full model and the bias-only model, and compares what they found with what was planted. */
export function cfEval(planted: PlantedRatings, options: RatingModelOptions): CfReport {
  const cf = new RatingModel(options);
  const biasOnly = new RatingModel({ ...options, dim: 0 });
  let mean = 0;
  let n = 0;
  let meanSquared = 0;
  for (const event of planted.events) {
    if (event.rating === undefined || event.item_id === undefined) continue;
    const user = event.user_id ?? event.session_id;
    if (n > 0) meanSquared += (event.rating - mean) ** 2;
    n += 1;
    mean += (event.rating - mean) / n;
    cf.observe(user, event.item_id, event.rating);
    biasOnly.observe(user, event.item_id, event.rating);
  }
  const errors = (truth: ReadonlyMap<string, number>, learned: (id: string) => number | undefined): BiasError => {
    const diffs = [...truth].map(([id, b]) => Math.abs((learned(id) ?? 0) - b)).sort((a, b) => a - b);
    const round = (x: number): number => Math.round(x * 1000) / 1000;
    return {
      mean: round(diffs.reduce((s, d) => s + d, 0) / Math.max(1, diffs.length)),
      p95: round(diffs[Math.floor(0.95 * (diffs.length - 1))] ?? 0),
      max: round(diffs.at(-1) ?? 0),
      within01: Math.round((10000 * diffs.filter((d) => d <= 0.1).length) / Math.max(1, diffs.length)) / 100,
    };
  };
  const round4 = (x: number): number => Math.round(x * 10000) / 10000;
  return {
    ratings: n,
    rmse: { cf: round4(cf.rmse), biasOnly: round4(biasOnly.rmse), mean: round4(Math.sqrt(meanSquared / Math.max(1, n - 1))) },
    userBias: errors(planted.userBias, (id) => cf.userBias(id)),
    itemBias: errors(planted.itemBias, (id) => cf.itemBias(id)),
  };
}
