import { readFile } from 'node:fs/promises';
import { checkRule } from '../domain/decode.ts';
import type { Rule } from '../domain/rules.ts';
import { RecError } from '../errors.ts';

/** Reads `candidates.rulesFile`: a JSON array of rules. Any bad rule fails the start, naming it. */
export async function loadRulesFile(path: string): Promise<Rule[]> {
  if (path === '') return [];
  const text = await readFile(path, 'utf8').catch((cause: unknown) => {
    throw new RecError('REC_CONFIG', `cannot read candidates.rulesFile ${path}`, { cause });
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new RecError('REC_CONFIG', `candidates.rulesFile ${path} is not JSON`, { cause });
  }
  if (!Array.isArray(parsed)) throw new RecError('REC_CONFIG', `candidates.rulesFile ${path} must hold a JSON array of rules`);
  return parsed.map((value, index) => {
    const checked = checkRule(value);
    if (!checked.ok) throw new RecError('REC_CONFIG', `candidates.rulesFile ${path}, rule ${index}: ${checked.error}`);
    return checked.rule;
  });
}
