import { hash32 } from './random.ts';
import type { ItemUpdate } from './item-update.ts';

/** Words of a title or description: lower-cased runs of letters and digits, at least two long. */
export function contentTokens(text: string): string[] {
  return (text.toLowerCase().normalize('NFKC').match(/[\p{L}\p{N}]{2,}/gu) ?? []).slice(0, 256);
}

/** Price band on a log scale (×√2 per band), so near prices share a band and far ones do not. */
export function priceBand(price: number): number {
  return price <= 0 ? -1 : Math.floor(2 * Math.log2(price + 1));
}

/**
 * An item's attributes as a unit vector of `dims` hashed features (the hashing trick): category and
 * brand weigh most, then the price band and its neighbours, then each word of the text. Two items
 * share a feature only if they share the attribute (up to hash collisions), so the dot product of two
 * such vectors measures how much they have in common. All zeros when the update has no attributes.
 */
export function attributeVector(update: ItemUpdate, dims: number, out: Float32Array, offset = 0): void {
  out.fill(0, offset, offset + dims);
  const add = (feature: string, weight: number): void => {
    const h = hash32(feature);
    // The hash's top bit gives a sign, so collisions cancel out on average instead of adding up.
    out[offset + (h % dims)] = (out[offset + (h % dims)] ?? 0) + ((h & 0x80000000) === 0 ? weight : -weight);
  };
  if (update.category_id !== undefined) add(`c:${update.category_id}`, 3);
  if (update.brand !== undefined) add(`b:${update.brand.toLowerCase()}`, 2);
  if (update.price !== undefined) {
    const band = priceBand(update.price);
    add(`p:${band}`, 1);
    add(`p:${band - 1}`, 0.5);
    add(`p:${band + 1}`, 0.5);
  }
  const words = new Set(contentTokens(update.text ?? ''));
  const wordWeight = words.size === 0 ? 0 : 2 / Math.sqrt(words.size);
  for (const word of words) add(`w:${word}`, wordWeight);
  normalise(out, offset, dims);
}

/** Scales `out[offset … offset + dims)` to unit length; leaves an all-zero slice as it is. */
export function normalise(out: Float32Array, offset: number, dims: number): void {
  let norm = 0;
  for (let i = offset; i < offset + dims; i += 1) norm += (out[i] ?? 0) ** 2;
  if (norm === 0) return;
  const scale = 1 / Math.sqrt(norm);
  for (let i = offset; i < offset + dims; i += 1) out[i] = (out[i] ?? 0) * scale;
}
