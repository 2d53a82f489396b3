import type { RecordOrigin } from './event.ts';

/** Item update, v1. Mirrors schemas/events/item-update.v1.schema.json (a unit test keeps them in step). */
export interface ItemUpdate {
  readonly v?: 1;
  readonly item_id: string;
  /** Time of the change, epoch milliseconds; an update older than the one held is ignored. */
  readonly ts: number;
  readonly category_id?: string;
  readonly brand?: string;
  readonly price?: number;
  /** Units in stock; 0: out of stock. */
  readonly stock?: number;
  readonly text?: string;
  /** A precomputed embedding (text, image, …); one length per catalogue. */
  readonly vector?: readonly number[];
}

/** A valid item update with where it came from and when the engine received it. */
export interface IngestedItemUpdate {
  readonly update: ItemUpdate;
  readonly origin: RecordOrigin;
  readonly receivedAt: number;
}

export const ITEM_UPDATE_FIELDS = ['v', 'item_id', 'ts', 'category_id', 'brand', 'price', 'stock', 'text', 'vector'] as const;
