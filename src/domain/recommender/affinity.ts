/** Category affinity forgets faster than items, so a move to a new category shows in the next list. */
export const CATEGORY_RECENCY = 0.4;

/** Category affinity from recent events (oldest first): newer events weigh more, so a shift of intent shows at once. */
export function categoryAffinity(events: readonly { readonly category: string | null }[]): Map<string, number> {
  const out = new Map<string, number>();
  let weight = 1;
  for (let i = events.length - 1; i >= 0 && weight > 0.01; i -= 1) {
    const category = events[i]?.category;
    if (category !== null && category !== undefined) out.set(category, (out.get(category) ?? 0) + weight);
    weight *= CATEGORY_RECENCY;
  }
  return out;
}
