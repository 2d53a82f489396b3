/**
 * The kafkajs error names (`name`) and broker error types (`type`, e.g. MESSAGE_TOO_LARGE) of `error`
 * and of the errors it wraps through `cause` (kafkajs's retrier wraps the last failure that way).
 */
export function kafkaErrorNames(error: unknown): string[] {
  const names: string[] = [];
  for (let current: unknown = error, depth = 0; typeof current === 'object' && current !== null && depth < 8; depth += 1) {
    if ('name' in current && typeof current.name === 'string') names.push(current.name);
    if ('type' in current && typeof current.type === 'string') names.push(current.type);
    current = 'cause' in current ? current.cause : null;
  }
  return names;
}
