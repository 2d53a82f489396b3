import type { BehaviourEvent } from './event.ts';

/** What a known user's feed is built from, across their sessions (and devices). */
export interface UserProfile {
  /** Recent distinct items, newest first. */
  readonly recent: { item: string; ts: number }[];
  readonly categories: Map<string, number>;
  readonly purchased: Map<string, number>;
  lastSeen: number;
  lastIngestedAt: number;
}

export type UserProfilesSnapshot = readonly {
  readonly id: string;
  readonly recent: readonly { readonly item: string; readonly ts: number }[];
  readonly categories: readonly (readonly [string, number])[];
  readonly purchased: readonly (readonly [string, number])[];
  readonly lastSeen: number;
  readonly lastIngestedAt: number;
}[];

/** Bounded map of user profiles; least recently active users are evicted first. */
export class UserProfiles {
  private readonly profiles = new Map<string, UserProfile>();

  constructor(
    private readonly maxUsers: number,
    private readonly recentItems: number,
  ) {}

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
      profile = { recent: [], categories: new Map(), purchased: new Map(), lastSeen: event.ts, lastIngestedAt: ingestedAt };
    } else {
      this.profiles.delete(event.user_id);
    }
    this.profiles.set(event.user_id, profile);
    if (this.profiles.size > this.maxUsers) {
      const oldest = this.profiles.keys().next();
      if (oldest.done !== true) this.profiles.delete(oldest.value);
    }
    profile.lastSeen = Math.max(profile.lastSeen, event.ts);
    profile.lastIngestedAt = Math.max(profile.lastIngestedAt, ingestedAt);
    if (event.item_id !== undefined) {
      const at = profile.recent.findIndex((entry) => entry.item === event.item_id);
      if (at >= 0) profile.recent.splice(at, 1);
      profile.recent.unshift({ item: event.item_id, ts: event.ts });
      if (profile.recent.length > this.recentItems) profile.recent.pop();
      if (event.type === 'purchase') profile.purchased.set(event.item_id, event.ts);
    }
    if (event.category_id !== undefined) {
      profile.categories.set(event.category_id, (profile.categories.get(event.category_id) ?? 0) + 1);
    }
    return profile;
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
      lastSeen: p.lastSeen,
      lastIngestedAt: p.lastIngestedAt,
    }));
  }

  restore(snapshot: UserProfilesSnapshot): void {
    this.profiles.clear();
    for (const p of snapshot) {
      this.profiles.set(p.id, {
        recent: p.recent.map((entry) => ({ ...entry })),
        categories: new Map(p.categories),
        purchased: new Map(p.purchased),
        lastSeen: p.lastSeen,
        lastIngestedAt: p.lastIngestedAt,
      });
    }
  }
}
