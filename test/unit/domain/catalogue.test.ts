import { describe, expect, it } from 'vitest';
import { Catalogue } from '../../../src/domain/catalogue.ts';
import { attributeVector, contentTokens, priceBand } from '../../../src/domain/content-features.ts';
import type { ItemUpdate } from '../../../src/domain/item-update.ts';
import { mulberry32 } from '../../../src/domain/random.ts';

const T0 = Date.UTC(2026, 0, 12);
const DIMS = 16;

/** `clusters` planted directions; item c-i lies near direction c. */
function plantedCatalogue(clusters: number, perCluster: number, seed: number): { updates: ItemUpdate[]; centre: (c: number) => number[]; noisy: (c: number) => number[] } {
  const random = mulberry32(seed);
  const centres = Array.from({ length: clusters }, () => Array.from({ length: DIMS }, () => random() * 2 - 1));
  const noisy = (c: number): number[] => (centres[c] ?? []).map((x) => x + 0.25 * (random() * 2 - 1));
  const updates: ItemUpdate[] = [];
  for (let i = 0; i < perCluster; i += 1) for (let c = 0; c < clusters; c += 1) updates.push({ item_id: `k${c}-${i}`, ts: T0, vector: noisy(c) });
  return { updates, centre: (c) => centres[c] ?? [], noisy };
}

describe('content features', () => {
  it('tokenises words, bands prices on a log scale, and hashes attributes into a unit vector', () => {
    expect(contentTokens('Smart-Watch 4G, Größe L!')).toEqual(['smart', 'watch', '4g', 'größe']);
    expect(priceBand(100)).toBe(priceBand(110));
    expect(priceBand(100)).not.toBe(priceBand(400));
    const a = new Float32Array(64);
    const b = new Float32Array(64);
    const c = new Float32Array(64);
    attributeVector({ item_id: 'a', ts: T0, category_id: 'watches', brand: 'Acme', price: 199, text: 'smart watch steel' }, 64, a);
    attributeVector({ item_id: 'b', ts: T0, category_id: 'watches', brand: 'acme', price: 189, text: 'smart watch leather' }, 64, b);
    attributeVector({ item_id: 'c', ts: T0, category_id: 'sofas', brand: 'Couchy', price: 899, text: 'corner sofa' }, 64, c);
    const dot = (x: Float32Array, y: Float32Array): number => x.reduce((sum, v, i) => sum + v * (y[i] ?? 0), 0);
    expect(dot(a, a)).toBeCloseTo(1, 5);
    expect(dot(a, b)).toBeGreaterThan(0.7);
    expect(Math.abs(dot(a, c))).toBeLessThan(0.3);
    const empty = new Float32Array(8);
    attributeVector({ item_id: 'x', ts: T0 }, 8, empty);
    expect([...empty]).toEqual(new Array(8).fill(0));
  });
});

describe('Catalogue', () => {
  it('offers items of the session\'s vector cluster, a brand-new one from its first update', () => {
    for (const perCluster of [20, 400]) {
      // 200 items are scored exhaustively, 4,000 through the cluster index.
      const { updates, centre } = plantedCatalogue(10, perCluster, 3);
      const catalogue = new Catalogue({ maxItems: 10_000, vectorDims: 0, attributeDims: 32 });
      for (const update of updates) expect(catalogue.apply(update)).toBe('new');
      expect(catalogue.width).toBe(DIMS + 32);
      const session = ['k4-0', 'k4-1', 'k4-2'];
      const similar = catalogue.similar(session, 20);
      expect(similar).toHaveLength(20);
      expect(similar.filter((s) => s.item.startsWith('k4-')).length).toBeGreaterThanOrEqual(Math.min(18, perCluster - session.length));
      expect(similar.map((s) => s.item)).not.toContain('k4-0');
      // At the cluster's centre, it is more like the session than most of the cluster's noisy items.
      catalogue.apply({ item_id: 'brand-new', ts: T0 + 1, vector: centre(4) });
      expect(catalogue.similar(session, 20).map((s) => s.item)).toContain('brand-new');
      expect(catalogue.similar(['k7-0', 'k7-1'], 20).map((s) => s.item)).not.toContain('brand-new');
    }
  });

  it('finds like items from attributes and text alone, and leaves out items out of stock', () => {
    const catalogue = new Catalogue({ maxItems: 100, vectorDims: 0, attributeDims: 64 });
    catalogue.apply({ item_id: 'w1', ts: T0, category_id: 'watches', brand: 'Acme', price: 199, text: 'smart watch steel' });
    catalogue.apply({ item_id: 'w2', ts: T0, category_id: 'watches', brand: 'Acme', price: 210, text: 'smart watch sport' });
    catalogue.apply({ item_id: 'w3', ts: T0, category_id: 'watches', brand: 'Other', price: 49, text: 'kids watch' });
    catalogue.apply({ item_id: 's1', ts: T0, category_id: 'sofas', brand: 'Couchy', price: 899, text: 'corner sofa' });
    expect(catalogue.similar(['w1'], 3).map((s) => s.item)).toEqual(['w2', 'w3']);
    catalogue.apply({ item_id: 'w2', ts: T0 + 1, category_id: 'watches', brand: 'Acme', price: 210, text: 'smart watch sport', stock: 0 });
    expect(catalogue.inStock('w2')).toBe(false);
    expect(catalogue.similar(['w1'], 3).map((s) => s.item)).toEqual(['w3']);
    // An older update than the one held changes nothing.
    expect(catalogue.apply({ item_id: 'w2', ts: T0, category_id: 'watches', stock: 5 })).toBe('stale');
    expect(catalogue.inStock('w2')).toBe(false);
  });

  it('refuses a vector of another length than the catalogue\'s with a REC_SCHEMA error', () => {
    const catalogue = new Catalogue({ maxItems: 100, vectorDims: 0, attributeDims: 8 });
    catalogue.apply({ item_id: 'a', ts: T0, category_id: 'c1' });
    catalogue.apply({ item_id: 'b', ts: T0, vector: [1, 0, 0] });
    expect(() => catalogue.apply({ item_id: 'c', ts: T0, vector: [1, 0] })).toThrow(expect.objectContaining({ code: 'REC_SCHEMA', message: expect.stringContaining('vector has 2 dimensions; this catalogue\'s vectors have 3') }));
    expect(catalogue.get('c')).toBeUndefined();
    // The item held before the first vector kept its attributes through the widening.
    catalogue.apply({ item_id: 'd', ts: T0, category_id: 'c1' });
    expect(catalogue.similar(['a'], 5).map((s) => s.item)).toEqual(['d']);
  });

  it('forgets the least recently updated items beyond its bound, reuses their rows, and restores from a snapshot', () => {
    const { updates } = plantedCatalogue(4, 5, 9);
    const catalogue = new Catalogue({ maxItems: 12, vectorDims: DIMS, attributeDims: 0 });
    for (const update of updates) catalogue.apply(update);
    expect(catalogue.size).toBe(12);
    expect(catalogue.get('k0-0')).toBeUndefined();
    expect(catalogue.get('k3-4')).toBeDefined();
    const copy = new Catalogue({ maxItems: 12, vectorDims: DIMS, attributeDims: 0 });
    copy.restore(catalogue.snapshot());
    expect(copy.size).toBe(12);
    expect(copy.similar(['k3-4'], 5)).toEqual(catalogue.similar(['k3-4'], 5));
  });

  it('keeps the out-of-stock items as updates come, and says when that set changed', () => {
    const catalogue = new Catalogue({ maxItems: 2, vectorDims: 0, attributeDims: 8 });
    catalogue.apply({ item_id: 'a', ts: T0, stock: 0 });
    catalogue.apply({ item_id: 'b', ts: T0, stock: 3 });
    expect(catalogue.outOfStock()).toEqual(['a']);
    const afterA = catalogue.stockGeneration;
    catalogue.apply({ item_id: 'b', ts: T0 + 1, stock: 2 });
    expect(catalogue.stockGeneration).toBe(afterA);
    catalogue.apply({ item_id: 'b', ts: T0 + 2, stock: 0 });
    expect(catalogue.outOfStock().sort()).toEqual(['a', 'b']);
    catalogue.apply({ item_id: 'a', ts: T0 + 3, stock: 5 });
    expect(catalogue.outOfStock()).toEqual(['b']);
    // An item the bounded catalogue forgets is no longer said to be out of stock.
    catalogue.apply({ item_id: 'c', ts: T0 + 4 });
    expect(catalogue.outOfStock()).toEqual([]);
    expect(catalogue.stockGeneration).toBe(afterA + 3);
  });
});
