/**
 * Item id ↔ dense row index. Indices are handed out in order of first sight and never reused, so a
 * row of every parameter table belongs to one item for the model's whole life (snapshots rely on it).
 */
export class Vocabulary {
  private readonly indexOf = new Map<string, number>();
  private readonly ids: string[] = [];
  private overflowCount = 0;

  constructor(readonly capacity: number) {}

  /** Items known. */
  get size(): number {
    return this.ids.length;
  }

  /** First sightings refused because the vocabulary was full. */
  get overflow(): number {
    return this.overflowCount;
  }

  /** Index of a known item, or -1. */
  lookup(item: string): number {
    return this.indexOf.get(item) ?? -1;
  }

  /** Index of the item, adding it when new and there is room; -1 (and counted) when full. */
  add(item: string): number {
    const known = this.indexOf.get(item);
    if (known !== undefined) return known;
    if (this.ids.length >= this.capacity) {
      this.overflowCount += 1;
      return -1;
    }
    const index = this.ids.length;
    this.ids.push(item);
    this.indexOf.set(item, index);
    return index;
  }

  /** Item id of an index; the index must be below `size`. */
  item(index: number): string {
    const id = this.ids[index];
    if (id === undefined) throw new RangeError(`no item at index ${index}`);
    return id;
  }

  /** The ids in index order (for snapshots). */
  toArray(): readonly string[] {
    return this.ids;
  }

  /** Refills an empty vocabulary from `toArray()` output of a snapshot. */
  restore(ids: readonly string[], overflow: number): void {
    if (this.ids.length > 0) throw new Error('Vocabulary.restore needs an empty vocabulary');
    for (const id of ids) this.add(id);
    this.overflowCount = overflow;
  }
}
