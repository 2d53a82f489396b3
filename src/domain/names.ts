/**
 * Strings (category ids) numbered in order of first sight, so per-item state can keep a small integer
 * in a typed array instead of a reference per item. Numbers are never reused; the set of names a
 * catalogue has is small.
 */
export class Names {
  private readonly list: string[] = [];
  private readonly index = new Map<string, number>();

  /** The number of `name`, given one on first sight. */
  intern(name: string): number {
    let known = this.index.get(name);
    if (known === undefined) {
      known = this.list.length;
      this.list.push(name);
      this.index.set(name, known);
    }
    return known;
  }

  /** The name of a number `intern` gave; '' for any other. */
  name(number: number): string {
    return this.list[number] ?? '';
  }
}
