import type { FeedItem, Reason } from './feed.ts';
import type { RecommendRequest } from './recommender/recommender.ts';

/** A business rule, v1. Mirrors schemas/events/rule.v1.schema.json. */
export interface Rule {
  readonly v?: 1;
  readonly id: string;
  /**
   * pin: the item at `position`; promote: the same as a promotion (reason `promoted`, with `label` and
   * `coupon`); boost / bury: matching items' scores raised / lowered by `weight`; exclude: never listed.
   */
  readonly action: 'pin' | 'promote' | 'boost' | 'bury' | 'exclude';
  /** An item, or every item of a category (pin and promote need an item). */
  readonly item_id?: string;
  readonly category_id?: string;
  /** 1-based place for pin and promote (default 1). */
  readonly position?: number;
  /** Score change for boost and bury (default 1: about a strong source's worth). */
  readonly weight?: number;
  /** Active from / until (epoch ms, wall clock); absent: always. */
  readonly starts_ms?: number;
  readonly ends_ms?: number;
  /** Only for shoppers in this segment; absent: everyone. */
  readonly segment?: {
    /** The session's leading categories include one of these. */
    readonly categories?: readonly string[];
    /** known: logged-in shoppers; anonymous: the others. */
    readonly users?: 'known' | 'anonymous';
  };
  /** Shown as the item's reason for promote ("Spring sale: 20 % off"). */
  readonly label?: string;
  /** A coupon code carried in the reason's evidence. */
  readonly coupon?: string;
}

/** A rule as it arrives: the rule, or a deletion of the rule with this id. */
export type RuleChange = { readonly kind: 'upsert'; readonly rule: Rule } | { readonly kind: 'delete'; readonly id: string };

const DEFAULT_WEIGHT = 1;
const LEADING_CATEGORIES = 3;

/**
 * The business rules in force, applied to every list after ranking: excluded items leave it, boosted
 * and buried items move by their score change, pinned and promoted items take their places (joining
 * the list if the ranker did not pick them). Time windows use the wall clock; segments the session's
 * leading categories and whether the shopper is known. Pure: the same rules, request and time give
 * the same list.
 */
export class RuleSet {
  private readonly rules = new Map<string, Rule>();
  private version = 0;

  get size(): number {
    return this.rules.size;
  }

  /** Bumps on every change (the exclusion set is rewritten when it moves). */
  get generation(): number {
    return this.version;
  }

  apply(change: RuleChange): void {
    if (change.kind === 'upsert') this.rules.set(change.rule.id, change.rule);
    else this.rules.delete(change.id);
    this.version += 1;
  }

  all(): Rule[] {
    return [...this.rules.values()];
  }

  /** Items and categories excluded for everyone right now (segment-free exclude rules). */
  excludedNow(now: number): { readonly items: Set<string>; readonly categories: Set<string> } {
    const items = new Set<string>();
    const categories = new Set<string>();
    for (const rule of this.rules.values()) {
      if (rule.action !== 'exclude' || rule.segment !== undefined || !activeAt(rule, now)) continue;
      if (rule.item_id !== undefined) items.add(rule.item_id);
      if (rule.category_id !== undefined) categories.add(rule.category_id);
    }
    return { items, categories };
  }

  /**
   * The ranked `list` (best first, longer than `n` when possible) with the rules applied, cut to `n`.
   * `categoryOf` gives an item's category; `allowed` says whether an item may be listed at all (stock,
   * purchases) for the items a pin brings in.
   */
  rank(list: readonly FeedItem[], request: RecommendRequest, n: number, now: number, categoryOf: (item: string) => string | undefined, allowed: (item: string) => boolean): FeedItem[] {
    const active = [...this.rules.values()].filter((rule) => activeAt(rule, now) && inSegment(rule, request));
    if (active.length === 0) return list.length <= n ? [...list] : list.slice(0, n);
    const matches = (rule: Rule, item: string): boolean =>
      (rule.item_id === undefined || rule.item_id === item) && (rule.category_id === undefined || rule.category_id === categoryOf(item)) && (rule.item_id !== undefined || rule.category_id !== undefined);
    let ranked = list.filter((entry) => !active.some((rule) => rule.action === 'exclude' && matches(rule, entry.item_id)));
    const shifts = active.filter((rule) => rule.action === 'boost' || rule.action === 'bury');
    if (shifts.length > 0) {
      ranked = ranked
        .map((entry) => {
          let score = entry.score;
          for (const rule of shifts) if (matches(rule, entry.item_id)) score += (rule.action === 'boost' ? 1 : -1) * (rule.weight ?? DEFAULT_WEIGHT);
          return score === entry.score ? entry : { ...entry, score: Math.round(score * 1e6) / 1e6 };
        })
        .sort((a, b) => b.score - a.score || (a.item_id < b.item_id ? -1 : 1));
    }
    const placed = active
      .filter((rule): rule is Rule & { item_id: string } => (rule.action === 'pin' || rule.action === 'promote') && rule.item_id !== undefined && allowed(rule.item_id))
      .filter((rule) => !active.some((other) => other.action === 'exclude' && matches(other, rule.item_id)))
      .sort((a, b) => (a.position ?? 1) - (b.position ?? 1) || (a.id < b.id ? -1 : 1));
    const pinnedItems = new Set(placed.map((rule) => rule.item_id));
    const out = ranked.filter((entry) => !pinnedItems.has(entry.item_id)).slice(0, n);
    for (const rule of placed) {
      if (out.some((entry) => entry.item_id === rule.item_id)) continue;
      const at = Math.min(Math.max(0, (rule.position ?? 1) - 1), out.length);
      const score = out[at]?.score ?? out.at(-1)?.score ?? 0;
      out.splice(at, 0, { item_id: rule.item_id, score, source: 'rule', reason: reasonOf(rule) });
    }
    return out.slice(0, n);
  }
}

function activeAt(rule: Rule, now: number): boolean {
  return (rule.starts_ms === undefined || now >= rule.starts_ms) && (rule.ends_ms === undefined || now < rule.ends_ms);
}

function inSegment(rule: Rule, request: RecommendRequest): boolean {
  const segment = rule.segment;
  if (segment === undefined) return true;
  if (segment.users === 'known' && request.user === undefined) return false;
  if (segment.users === 'anonymous' && request.user !== undefined) return false;
  if (segment.categories !== undefined) {
    const leading = [...request.categories.entries()].sort((a, b) => b[1] - a[1]).slice(0, LEADING_CATEGORIES).map(([category]) => category);
    if (!segment.categories.some((category) => leading.includes(category))) return false;
  }
  return true;
}

function reasonOf(rule: Rule): Reason {
  if (rule.action === 'promote') {
    return { type: 'promoted', evidence: { rule_id: rule.id, ...(rule.coupon === undefined ? {} : { coupon: rule.coupon }) }, text: rule.label ?? 'Promoted' };
  }
  return { type: 'promoted', evidence: { rule_id: rule.id, position: rule.position ?? 1 }, text: rule.label ?? 'Featured' };
}
