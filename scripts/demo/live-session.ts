import type { BehaviourEvent } from '../../src/domain/event.ts';
import type { Feed } from '../../src/domain/feed.ts';

export interface LiveScript {
  /** The real session the live shopper replays. */
  readonly sourceSession: string;
  readonly items: readonly { readonly item: string; readonly category: string }[];
  /** Index of the first event in the new category. */
  readonly shiftAt: number;
}

/**
 * Picks a real session that stays in one category for at least three views and then moves to another
 * for at least two: the clearest way to watch a feed follow a shift of intent. Among those, it prefers
 * sessions whose items others viewed too (so the feed has evidence to show), and keeps three views
 * before the shift and up to three after it.
 */
export function pickCategoryShift(events: readonly BehaviourEvent[]): LiveScript | null {
  const sessions = new Map<string, { item: string; category: string }[]>();
  const popularity = new Map<string, number>();
  for (const event of events) {
    if (event.item_id === undefined) continue;
    popularity.set(event.item_id, (popularity.get(event.item_id) ?? 0) + 1);
    if (event.type !== 'view' || event.category_id === undefined) continue;
    let list = sessions.get(event.session_id);
    if (list === undefined) sessions.set(event.session_id, (list = []));
    if (list.at(-1)?.item !== event.item_id) list.push({ item: event.item_id, category: event.category_id });
  }
  let best: { script: LiveScript; score: number } | null = null;
  for (const [session, items] of sessions) {
    for (let shift = 3; shift < items.length - 1; shift += 1) {
      const before = items.slice(shift - 3, shift);
      const after = items.slice(shift, shift + 3);
      const old = before[0]?.category;
      const target = after[0]?.category;
      if (old === target || before.some((e) => e.category !== old) || after[1]?.category !== target) continue;
      const kept = after.filter((e) => e.category === target);
      const score = Math.min(...[...before, ...kept].map((e) => popularity.get(e.item) ?? 0));
      if (best === null || score > best.score) best = { script: { sourceSession: session, items: [...before, ...kept], shiftAt: 3 }, score };
      break;
    }
  }
  return best?.script ?? null;
}

/** Share of the top `n` feed items whose category is `category`. */
export function shareInCategory(feed: Feed, categoryOf: (item: string) => string | undefined, category: string, n = 10): number {
  const top = feed.items.slice(0, n);
  if (top.length === 0) return 0;
  return top.filter((item) => categoryOf(item.item_id) === category).length / top.length;
}

export function formatFeed(feed: Feed, categoryOf: (item: string) => string | undefined, n = 6): string {
  return feed.items
    .slice(0, n)
    .map((item) => `${item.item_id}(cat ${categoryOf(item.item_id) ?? '?'}, ${item.source})`)
    .join('  ');
}
