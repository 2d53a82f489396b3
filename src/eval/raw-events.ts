import type { Config } from '../config/config.ts';
import { loadConfig } from '../config/load.ts';
import { loadDiginetica, type LoadedReplay } from '../replay/diginetica.ts';

/**
 * The time-ordered raw views and purchases of a Diginetica-layout folder (the full views file when
 * present), and the configuration the raw-log evaluations run the engine with: the current item may
 * be listed (published protocols keep it) and no impression negatives (nobody saw the replay's lists).
 */
export async function rawEvaluation(dataDir: string, env: NodeJS.ProcessEnv, notice: (message: string) => void): Promise<{ readonly loaded: LoadedReplay; readonly config: Config }> {
  const loaded = await loadDiginetica({ dataDir, sources: ['views', 'purchases'], limit: 0, shiftToNow: false, now: Date.now(), preferFullViews: true, onNotice: notice });
  const config = loadConfig({ ...env, STREAMREC_CANDIDATES_EXCLUDE_CURRENT_ITEM: 'false', STREAMREC_CANDIDATES_RANKER_IMPRESSION_NEGATIVES: 'false' });
  return { loaded, config };
}
