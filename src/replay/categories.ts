import { isId } from './ids.ts';
import { readCsvRows } from './lines.ts';

/**
 * item id → category id from `itemId;categoryId`. Held whole in memory: events look it up in random
 * order and the full table is a few hundred thousand short strings.
 */
export async function loadCategories(path: string): Promise<Map<string, string>> {
  const categories = new Map<string, string>();
  for await (const row of readCsvRows(path, ['itemId', 'categoryId'])) {
    const item = row.get('itemId');
    const category = row.get('categoryId');
    // Ids outside the schema's id alphabet would make every event of that item invalid; drop the mapping instead.
    if (isId(item) && isId(category)) categories.set(item, category);
  }
  return categories;
}
