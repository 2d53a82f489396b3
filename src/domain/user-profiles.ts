import type { BehaviourEvent } from './event.ts';

/** What a known user's feed is built from, across their sessions (and devices). */
export interface UserProfile {
  /** Recent distinct items, newest first, with the session (device) they were taken in. */
  readonly recent: { item: string; ts: number; session: string }[];
  /** Category → weight, decayed to `decayedAt` (half-life `halfLifeMs`). */
  readonly categories: Map<string, number>;
  readonly purchased: Map<string, number>;
  /** Decayed sums behind the price band: Σ w and Σ w·ln(price), both as of `decayedAt`. */
  priceWeight: number;
  logPriceSum: number;
  decayedAt: number;
  lastSeen: number;
  lastIngestedAt: number;
}

/** What a session's list takes from its shopper's profile (RecommendRequest.profile). */
export interface ProfileContext {
  /** Items of the user's other sessions, newest first, each with its decayed weight in (0, 1]. */
  readonly items: readonly { readonly item: string; readonly weight: number }[];
  /** Category → decayed weight, summing to 1 (empty when none is known). */
  readonly categories: ReadonlyMap<string, number>;
  /** Decayed mean of ln(price) over the priced events; absent when none carried a price. */
  readonly priceBand?: number;
}

export type UserProfilesSnapshot = readonly {
  readonly id: string;
  readonly recent: readonly { readonly item: string; readonly ts: number; readonly session?: string }[];
  readonly categories: readonly (readonly [string, number])[];
  readonly purchased: readonly (readonly [string, number])[];
  readonly priceWeight?: number;
  readonly logPriceSum?: number;
  readonly decayedAt?: number;
  readonly lastSeen: number;
  readonly lastIngestedAt: number;
}[];

export interface UserProfilesOptions {
  readonly maxUsers: number;
  /** Recent distinct items kept per user. */
  readonly recentItems: number;
  /** Half-life of a profile's category, price and item weights (event time). */
  readonly halfLifeMs: number;
}

/** Categories kept per profile (the lightest are dropped). */
const MAX_CATEGORIES = 20;
/** Profile items a session's list looks at. */
const CONTEXT_ITEMS = 10;

/**
 * Bounded map of user profiles; least recently active users are evicted first. A profile's weights
 * decay with event time, so what a shopper did last month counts for less than what they did today.
 */
export class UserProfiles {
  private readonly profiles = new Map<string, UserProfile>();

  constructor(private readonly options: UserProfilesOptions) {}

  get size(): number {
    return this.profiles.size;
  }

  get(userId: string): UserProfile | undefined {
    return this.profiles.get(userId);
  }

  observe(event: BehaviourEvent, ingestedAt: number): UserProfile | null {
    if (event.user_id === undefined) return null;
    let profile = this.profiles.get(event.user_id);
    if (profile === undefined) {
      profile = { recent: [], categories: new Map(), purchased: new Map(), priceWeight: 0, logPriceSum: 0, decayedAt: event.ts, lastSeen: event.ts, lastIngestedAt: ingestedAt };
    } else {
      this.profiles.delete(event.user_id);
    }
    this.profiles.set(event.user_id, profile);
    if (this.profiles.size > this.options.maxUsers) {
      const oldest = this.profiles.keys().next();
      if (oldest.done !== true) this.profiles.delete(oldest.value);
    }
    this.decayTo(profile, event.ts);
    profile.lastSeen = Math.max(profile.lastSeen, event.ts);
    profile.lastIngestedAt = Math.max(profile.lastIngestedAt, ingestedAt);
    if (event.item_id !== undefined) {
      const at = profile.recent.findIndex((entry) => entry.item === event.item_id);
      if (at >= 0) profile.recent.splice(at, 1);
      profile.recent.unshift({ item: event.item_id, ts: event.ts, session: event.session_id });
      if (profile.recent.length > this.options.recentItems) profile.recent.pop();
      if (event.type === 'purchase') profile.purchased.set(event.item_id, event.ts);
    }
    const weight = this.weightAt(profile, event.ts);
    if (event.category_id !== undefined) {
      profile.categories.set(event.category_id, (profile.categories.get(event.category_id) ?? 0) + weight);
      if (profile.categories.size > MAX_CATEGORIES) dropLightest(profile.categories);
    }
    if (event.price !== undefined && event.price > 0) {
      profile.priceWeight += weight;
      profile.logPriceSum += weight * Math.log(event.price);
    }
    return profile;
  }

  /**
   * The profile as a session of this user sees it at `now`: items of the user's other sessions (the
   * session's own items are its sequence already), categories and price band, all decayed to `now`.
   * Undefined when the user has no profile or it holds nothing from another session or category.
   */
  context(userId: string, session: string | undefined, now: number, exclude: readonly string[]): ProfileContext | undefined {
    const profile = this.profiles.get(userId);
    if (profile === undefined) return undefined;
    const items: { item: string; weight: number }[] = [];
    for (const entry of profile.recent) {
      if (items.length >= CONTEXT_ITEMS) break;
      if (entry.session === session || exclude.includes(entry.item)) continue;
      items.push({ item: entry.item, weight: this.decay(Math.max(0, now - entry.ts)) });
    }
    let total = 0;
    for (const weight of profile.categories.values()) total += weight;
    const categories = new Map<string, number>();
    if (total > 0) for (const [category, weight] of profile.categories) categories.set(category, weight / total);
    if (items.length === 0 && categories.size === 0) return undefined;
    return { items, categories, ...(profile.priceWeight > 0 ? { priceBand: profile.logPriceSum / profile.priceWeight } : {}) };
  }

  forget(userId: string): boolean {
    return this.profiles.delete(userId);
  }

  /** Every profile, least recently active first, for a checkpoint. */
  snapshot(): UserProfilesSnapshot {
    return [...this.profiles].map(([id, p]) => ({
      id,
      recent: p.recent.map((entry) => ({ ...entry })),
      categories: [...p.categories],
      purchased: [...p.purchased],
      priceWeight: p.priceWeight,
      logPriceSum: p.logPriceSum,
      decayedAt: p.decayedAt,
      lastSeen: p.lastSeen,
      lastIngestedAt: p.lastIngestedAt,
    }));
  }

  /** Restores a snapshot; one written before decay and price bands existed restores with neither. */
  restore(snapshot: UserProfilesSnapshot): void {
    this.profiles.clear();
    for (const p of snapshot) {
      this.profiles.set(p.id, {
        recent: p.recent.map((entry) => ({ item: entry.item, ts: entry.ts, session: entry.session ?? '' })),
        categories: new Map(p.categories),
        purchased: new Map(p.purchased),
        priceWeight: p.priceWeight ?? 0,
        logPriceSum: p.logPriceSum ?? 0,
        decayedAt: p.decayedAt ?? p.lastSeen,
        lastSeen: p.lastSeen,
        lastIngestedAt: p.lastIngestedAt,
      });
    }
  }

  private decay(ageMs: number): number {
    return 2 ** -(ageMs / this.options.halfLifeMs);
  }

  /** Weight of a new observation at `ts` relative to the profile's stored weights (1 unless it is older). */
  private weightAt(profile: UserProfile, ts: number): number {
    return ts >= profile.decayedAt ? 1 : this.decay(profile.decayedAt - ts);
  }

  private decayTo(profile: UserProfile, ts: number): void {
    if (ts <= profile.decayedAt) return;
    const factor = this.decay(ts - profile.decayedAt);
    for (const [category, weight] of profile.categories) profile.categories.set(category, weight * factor);
    profile.priceWeight *= factor;
    profile.logPriceSum *= factor;
    profile.decayedAt = ts;
  }
}

function dropLightest(weights: Map<string, number>): void {
  let lightest: string | null = null;
  let min = Number.POSITIVE_INFINITY;
  for (const [key, weight] of weights) {
    if (weight < min) {
      min = weight;
      lightest = key;
    }
  }
  if (lightest !== null) weights.delete(lightest);
}
