import type { Dashboard } from './dashboard.ts';
import { analystDashboard } from './analyst.ts';
import { modelDashboard } from './model.ts';
import { sreDashboard } from './sre.ts';

/** Every generated board and the file under grafana/dashboards it is written to. */
export const BOARDS: readonly { readonly file: string; readonly build: () => Dashboard }[] = [
  { file: 'sre.json', build: sreDashboard },
  { file: 'analyst.json', build: analystDashboard },
  { file: 'model.json', build: modelDashboard },
];

export const DASHBOARDS_DIR = new URL('../../grafana/dashboards/', import.meta.url);
