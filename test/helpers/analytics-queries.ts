import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const DOC = join(import.meta.dirname, '..', '..', 'docs', 'analytics.md');

/** The `### N. Title` sections of docs/analytics.md with their one ```sql block each. */
export function documentedQueries(): { title: string; sql: string }[] {
  const text = readFileSync(DOC, 'utf8');
  const out: { title: string; sql: string }[] = [];
  for (const section of text.split(/^### /m).slice(1)) {
    const title = section.split('\n')[0]?.trim() ?? '';
    const blocks = [...section.matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
    if (blocks.length !== 1) throw new Error(`"${title}" should hold exactly one sql block, has ${blocks.length}`);
    out.push({ title, sql: blocks[0] ?? '' });
  }
  return out;
}
