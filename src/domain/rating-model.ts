import { mulberry32 } from './random.ts';

export interface RatingModelOptions {
  /** Latent factors per user and item; 0: the bias-only model r̂ = μ + b_u + b_i. */
  readonly dim: number;
  readonly learningRate: number;
  /** Step size of the factors (they start near 0 and need bigger steps than the biases to grow in one pass). */
  readonly factorLearningRate: number;
  /** L2 regularisation of biases and factors. */
  readonly regularization: number;
  /** Users and items held (each); the least recently rated go first. */
  readonly maxUsers: number;
  readonly maxItems: number;
}

interface Row {
  bias: number;
  /** Ratings this row learned from (its bias step is 1 / (n + 1) until that falls to the learning rate). */
  n: number;
  readonly factors: Float32Array;
}

export interface RatingModelSnapshot {
  readonly mean: number;
  readonly ratings: number;
  readonly squaredError: number;
  readonly users: readonly (readonly [string, number, readonly number[]])[];
  readonly items: readonly (readonly [string, number, readonly number[]])[];
}

/** Initial factor spread: small, so a new user or item starts at its biases. */
const INIT_SCALE = 0.1;

/**
 * Collaborative filtering with biases, learned online from ratings: r̂(u,i) = μ + b_u + b_i + p_u·q_i,
 * one SGD step per rating (Koren, Bell & Volinsky 2009), μ the running mean. Prequential: each rating
 * is predicted before it is learned, and the squared errors give the RMSE. Unknown users or items
 * predict with what is known (μ, the other bias).
 */
export class RatingModel {
  private readonly users = new Map<string, Row>();
  private readonly items = new Map<string, Row>();
  private mean = 0;
  private count = 0;
  private squaredError = 0;
  private readonly random = mulberry32(42);

  constructor(private readonly options: RatingModelOptions) {}

  get ratings(): number {
    return this.count;
  }

  /** Prequential RMSE over every rating learned so far (NaN before the first). */
  get rmse(): number {
    return this.count === 0 ? Number.NaN : Math.sqrt(this.squaredError / this.count);
  }

  get size(): { readonly users: number; readonly items: number } {
    return { users: this.users.size, items: this.items.size };
  }

  /** The learned bias of a user or an item (undefined when unknown). */
  userBias(user: string): number | undefined {
    return this.users.get(user)?.bias;
  }

  itemBias(item: string): number | undefined {
    return this.items.get(item)?.bias;
  }

  get globalMean(): number {
    return this.mean;
  }

  knowsUser(user: string): boolean {
    return this.users.has(user);
  }

  predict(user: string, item: string): number {
    const u = this.users.get(user);
    const i = this.items.get(item);
    let r = this.mean + (u?.bias ?? 0) + (i?.bias ?? 0);
    if (u !== undefined && i !== undefined) r += dot(u.factors, i.factors);
    return r;
  }

  /** Learns one rating; returns its prequential error (rating − prediction before the step). */
  observe(user: string, item: string, rating: number): number {
    const error = rating - (this.count === 0 ? rating : this.predict(user, item));
    this.squaredError += error * error;
    this.count += 1;
    this.mean += (rating - this.mean) / this.count;
    const u = this.row(this.users, user, this.options.maxUsers);
    const i = this.row(this.items, item, this.options.maxItems);
    // The step uses the error against the updated mean, so biases learn deviations from it.
    const e = rating - (this.mean + u.bias + i.bias + dot(u.factors, i.factors));
    const { learningRate: lr, factorLearningRate: flr, regularization: reg } = this.options;
    // A running mean while a row is young (fast and exact), then a constant step (so biases can drift).
    u.bias += Math.max(lr, 1 / (u.n + 1)) * (e - reg * u.bias);
    i.bias += Math.max(lr, 1 / (i.n + 1)) * (e - reg * i.bias);
    u.n += 1;
    i.n += 1;
    for (let f = 0; f < u.factors.length; f += 1) {
      const pu = u.factors[f] ?? 0;
      const qi = i.factors[f] ?? 0;
      u.factors[f] = pu + flr * (e * qi - reg * pu);
      i.factors[f] = qi + flr * (e * pu - reg * qi);
    }
    return error;
  }

  /** The `k` items with the highest predicted rating for `user`, best first (empty for an unknown user). */
  top(user: string, k: number, exclude: ReadonlySet<string> = new Set()): { item: string; score: number }[] {
    if (!this.users.has(user) || k <= 0) return [];
    const best: { item: string; score: number }[] = [];
    for (const item of this.items.keys()) {
      if (exclude.has(item)) continue;
      const score = this.predict(user, item);
      if (best.length < k) {
        best.push({ item, score });
        if (best.length === k) best.sort((a, b) => b.score - a.score);
      } else if (score > (best[k - 1]?.score ?? Number.POSITIVE_INFINITY)) {
        let at = k - 1;
        while (at > 0 && (best[at - 1]?.score ?? 0) < score) at -= 1;
        best.splice(at, 0, { item, score });
        best.pop();
      }
    }
    return best.length < k ? best.sort((a, b) => b.score - a.score) : best;
  }

  forgetUser(user: string): boolean {
    return this.users.delete(user);
  }

  snapshot(): RatingModelSnapshot {
    const dump = (table: Map<string, Row>): [string, number, number[]][] => [...table].map(([id, row]) => [id, row.bias, [...row.factors]]);
    return { mean: this.mean, ratings: this.count, squaredError: this.squaredError, users: dump(this.users), items: dump(this.items) };
  }

  restore(snapshot: RatingModelSnapshot): void {
    this.mean = snapshot.mean;
    this.count = snapshot.ratings;
    this.squaredError = snapshot.squaredError;
    const load = (table: Map<string, Row>, rows: RatingModelSnapshot['users']): void => {
      table.clear();
      for (const [id, bias, factors] of rows) table.set(id, { bias, n: Number.POSITIVE_INFINITY, factors: Float32Array.from(factors.length === this.options.dim ? factors : new Array<number>(this.options.dim).fill(0)) });
    };
    load(this.users, snapshot.users);
    load(this.items, snapshot.items);
  }

  private row(table: Map<string, Row>, id: string, max: number): Row {
    let row = table.get(id);
    if (row === undefined) {
      row = { bias: 0, n: 0, factors: Float32Array.from({ length: this.options.dim }, () => (this.random() * 2 - 1) * INIT_SCALE) };
      if (table.size >= max) {
        const oldest = table.keys().next();
        if (oldest.done !== true) table.delete(oldest.value);
      }
    } else {
      table.delete(id);
    }
    table.set(id, row);
    return row;
  }
}

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let f = 0; f < a.length; f += 1) sum += (a[f] ?? 0) * (b[f] ?? 0);
  return sum;
}
