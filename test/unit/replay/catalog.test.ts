import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../../src/replay/catalog.ts';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'diginetica');

describe('loadCatalog', () => {
  it('takes the most viewed categories and items from the raw Diginetica files', async () => {
    const catalog = await loadCatalog(FIXTURES, { categories: 3, itemsPerCategory: 2 });
    expect(catalog.categories.length).toBeGreaterThan(0);
    expect(catalog.categories.length).toBeLessThanOrEqual(3);
    for (const category of catalog.categories) {
      expect(category.category_id).toMatch(/^[0-9]+$/);
      expect(category.items.length).toBeGreaterThan(0);
      expect(category.items.length).toBeLessThanOrEqual(2);
    }
  });

  it('is empty when the files are missing', async () => {
    expect(await loadCatalog(join(FIXTURES, 'nowhere'))).toEqual({ categories: [] });
  });
});
