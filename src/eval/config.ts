import type { Config } from '../config/config.ts';
import { loadConfig } from '../config/load.ts';

export interface EvalFlags {
  readonly excludeCurrent: boolean;
  readonly impressionNegatives: boolean;
  readonly explore: boolean;
  readonly content: boolean;
  readonly model: boolean;
}

/** The engine's configuration as the replay evaluations run it: the environment's, with what a replayed log needs. */
export function evalConfig(env: NodeJS.ProcessEnv, flags: EvalFlags): Config {
  return loadConfig({
    ...env,
    STREAMREC_CANDIDATES_EXCLUDE_CURRENT_ITEM: String(flags.excludeCurrent),
    // The shoppers of a replayed log never saw the engine's lists, so skips "above" the item they took
    // would be invented negatives (on the validation split they cost 0.16 HR@20).
    STREAMREC_CANDIDATES_RANKER_IMPRESSION_NEGATIVES: String(flags.impressionNegatives),
    // Exploration places cost next-item accuracy by design (on Diginetica 0.84 HR@20 at 1 of 20 places);
    // `--explore` measures that cost with the configured share.
    ...(flags.explore ? {} : { STREAMREC_CANDIDATES_EXPLORE_SHARE: '0' }),
    ...(flags.content ? {} : { STREAMREC_CANDIDATES_CATALOGUE_ATTRIBUTE_DIMS: '0', STREAMREC_CANDIDATES_CATALOGUE_VECTOR_DIMS: '0' }),
    ...(flags.model ? { STREAMREC_MODEL_ENABLED: 'true' } : {}),
  });
}
