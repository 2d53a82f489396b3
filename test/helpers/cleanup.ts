import { resetNamespace } from '../../scripts/demo/namespace.ts';
import type { Config } from '../../src/config/config.ts';

/** Removes everything a test created under its unique names: topics, consumer group, database, Redis keys. */
export function cleanup(config: Config): Promise<void> {
  return resetNamespace(config);
}
