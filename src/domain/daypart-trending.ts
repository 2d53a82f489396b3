import { Trending, type TrendingEntry, type TrendingSnapshot } from './trending.ts';

export interface DaypartOptions {
  /** Equal parts the day is cut into (6: four-hour parts); 0 turns the counts off. */
  readonly dayparts: number;
  /** The storefront's offset from UTC, so parts follow its shoppers' clock. */
  readonly utcOffsetMinutes: number;
  readonly halfLifeMs: number;
  /** Items held over all parts together. */
  readonly maxItems: number;
  readonly topK: number;
}

export type DaypartSnapshot = readonly TrendingSnapshot[];

const DAY_MS = 86_400_000;

/**
 * What shoppers take at each time of day, globally and per category: one decayed `Trending` count
 * per part of the day. With a long half-life it learns, say, that breakfast items lead the morning
 * and electronics the evening, so a session with nothing else to go on gets the lists of its hour.
 */
export class DaypartTrending {
  private readonly parts: Trending[];

  constructor(private readonly options: DaypartOptions) {
    const perPart = Math.max(1, Math.ceil(options.maxItems / Math.max(1, options.dayparts)));
    this.parts = Array.from({ length: options.dayparts }, () => new Trending({ halfLifeMs: options.halfLifeMs, maxItems: perPart, topK: options.topK }));
  }

  /** The part of the day `ts` falls in (0 … dayparts − 1), on the storefront's clock. */
  daypart(ts: number): number {
    const local = (((ts + this.options.utcOffsetMinutes * 60_000) % DAY_MS) + DAY_MS) % DAY_MS;
    return Math.floor((local / DAY_MS) * this.parts.length);
  }

  get enabled(): boolean {
    return this.parts.length > 0;
  }

  observe(item: string, category: string | null, weight: number, ts: number): void {
    this.parts[this.daypart(ts)]?.observe(item, category, weight, ts);
  }

  refresh(): void {
    for (const part of this.parts) part.refresh();
  }

  top(ts: number, k: number): readonly TrendingEntry[] {
    return this.parts[this.daypart(ts)]?.top(k) ?? [];
  }

  topInCategory(ts: number, category: string, k: number): readonly TrendingEntry[] {
    return this.parts[this.daypart(ts)]?.topInCategory(category, k) ?? [];
  }

  snapshot(): DaypartSnapshot {
    return this.parts.map((part) => part.snapshot());
  }

  /** Restores a checkpoint; one cut into another number of parts is ignored (the counts start over). */
  restore(snapshot: DaypartSnapshot): boolean {
    if (snapshot.length !== this.parts.length) return false;
    snapshot.forEach((part, i) => this.parts[i]?.restore(part));
    return true;
  }
}
