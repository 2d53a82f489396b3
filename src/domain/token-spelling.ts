/** Shorter tokens have too many neighbours one edit away to guess which was meant. */
const MIN_LENGTH = 4;

/**
 * Known query tokens indexed by their one-character deletions (the deletion neighbourhood of
 * SymSpell), so a misspelt token finds the known tokens one edit away (a letter wrong, missing, extra,
 * or two neighbours swapped) with a handful of map lookups instead of a scan.
 */
export class TokenSpelling {
  private readonly variants = new Map<string, Set<string>>();

  add(token: string): void {
    if (token.length < MIN_LENGTH) return;
    for (const variant of deletions(token)) {
      let tokens = this.variants.get(variant);
      if (tokens === undefined) this.variants.set(variant, (tokens = new Set()));
      tokens.add(token);
    }
  }

  remove(token: string): void {
    if (token.length < MIN_LENGTH) return;
    for (const variant of deletions(token)) {
      const tokens = this.variants.get(variant);
      if (tokens === undefined) continue;
      tokens.delete(token);
      if (tokens.size === 0) this.variants.delete(variant);
    }
  }

  /** Known tokens exactly one edit from `token` (never `token` itself). */
  near(token: string): string[] {
    if (token.length < MIN_LENGTH) return [];
    const found = new Set<string>();
    for (const variant of deletions(token)) for (const known of this.variants.get(variant) ?? []) if (known !== token && oneEdit(token, known)) found.add(known);
    return [...found].sort();
  }
}

/** The token and each string made by deleting one of its characters. */
function deletions(token: string): string[] {
  const out = [token];
  for (let i = 0; i < token.length; i += 1) out.push(token.slice(0, i) + token.slice(i + 1));
  return out;
}

/** Whether two different strings are one substitution, insertion, deletion or adjacent swap apart. */
function oneEdit(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i += 1;
  if (a.length === b.length) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true;
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
  }
  return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}
