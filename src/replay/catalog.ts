import { join } from 'node:path';
import { loadCategories } from './categories.ts';
import { DIGINETICA_FILES } from './diginetica.ts';
import { isId } from './ids.ts';
import { isReadable, readCsvRows } from './lines.ts';

/** The storefront demo's shop window: the most viewed Diginetica categories and their most viewed items. */
export interface Catalog {
  readonly categories: readonly { readonly category_id: string; readonly items: readonly string[] }[];
}

async function firstReadable(dataDir: string, candidates: readonly string[]): Promise<string | null> {
  for (const candidate of candidates) if (await isReadable(join(dataDir, candidate))) return join(dataDir, candidate);
  return null;
}

/**
 * Builds the demo catalog from the raw CIKM 2016 files (item categories + views): real item and
 * category ids, so clicks in the demo meet what the replay taught the engine. Empty when the files
 * are missing.
 */
export async function loadCatalog(dataDir: string, options: { categories: number; itemsPerCategory: number } = { categories: 8, itemsPerCategory: 12 }): Promise<Catalog> {
  const categoriesPath = await firstReadable(dataDir, DIGINETICA_FILES.categories);
  const viewsPath = await firstReadable(dataDir, DIGINETICA_FILES.views);
  if (categoriesPath === null || viewsPath === null) return { categories: [] };
  const categoryOf = await loadCategories(categoriesPath);
  const views = new Map<string, number>();
  for await (const row of readCsvRows(viewsPath, ['item_id'])) {
    const item = row.get('item_id');
    if (isId(item) && categoryOf.has(item)) views.set(item, (views.get(item) ?? 0) + 1);
  }
  const byCategory = new Map<string, { views: number; items: [string, number][] }>();
  for (const [item, count] of views) {
    const category = categoryOf.get(item) ?? '';
    let entry = byCategory.get(category);
    if (entry === undefined) byCategory.set(category, (entry = { views: 0, items: [] }));
    entry.views += count;
    entry.items.push([item, count]);
  }
  const top = [...byCategory.entries()].sort((a, b) => b[1].views - a[1].views || (a[0] < b[0] ? -1 : 1)).slice(0, options.categories);
  return {
    categories: top.map(([category, entry]) => ({
      category_id: category,
      items: entry.items.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, options.itemsPerCategory).map(([item]) => item),
    })),
  };
}
