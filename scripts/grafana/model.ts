import { dashboard, type Dashboard } from './dashboard.ts';
import { RATE, clickHousePanel, promPanel, sql } from './panels.ts';

/**
 * Quality over a fixed 10-minute window rather than Grafana's rate interval: a hit rate over a few
 * seconds of events swings too much to read.
 */
const QUALITY_WINDOW = '10m';

/** The online model: how good its lists are right now, and whether it is learning. */
export function modelDashboard(): Dashboard {
  return dashboard(
    {
      uid: 'streamrec-model',
      title: 'streamrec / Model',
      description: 'Online (prequential) quality of the served lists and the state of the online model.',
      tags: ['streamrec', 'model'],
    },
    [
      promPanel('timeseries', { title: 'Online HR@20 and MRR@20', unit: 'percentunit', description: `Every next-item event is scored against the list its session was served just before (then learned from). HR@20: share whose item was in the top 20. MRR@20: mean 1/rank, 0 beyond 20. Rolling ${QUALITY_WINDOW}.` }, [
        { expr: `sum(rate(rec_online_hits_total[${QUALITY_WINDOW}])) / sum(rate(rec_online_predictions_total[${QUALITY_WINDOW}]))`, legend: 'HR@20' },
        { expr: `sum(rate(rec_online_reciprocal_rank_total[${QUALITY_WINDOW}])) / sum(rate(rec_online_predictions_total[${QUALITY_WINDOW}]))`, legend: 'MRR@20' },
      ]),
      promPanel('timeseries', { title: 'Scored predictions', unit: 'ops', description: 'Next-item events scored per second; HR and MRR rest on this many.' }, [
        { expr: `sum(rate(rec_online_predictions_total[${RATE}]))`, legend: 'predictions' },
      ]),
      promPanel('timeseries', { title: 'Model loss', unit: 'none', description: 'Prequential loss of the last model micro-batch, measured before the update it triggers.' }, [
        { expr: 'max(rec_model_loss)', legend: 'loss' },
      ]),
      promPanel('timeseries', { title: 'Model updates by status', unit: 'ops', description: 'Model micro-batches per second by outcome: applied, rolled-back (guard tripped), non-finite, empty.' }, [
        { expr: `sum by (status) (rate(rec_model_updates_total[${RATE}]))`, legend: '{{status}}' },
      ]),
      promPanel('stat', { title: 'Model version', unit: 'none', w: 6, description: 'Applied updates so far; it stops rising when updates are rolled back or the model is idle.' }, [
        { expr: 'max(rec_model_version)', legend: 'version' },
      ]),
      promPanel('stat', { title: 'TensorFlow.js backend', unit: 'none', w: 6, options: { textMode: 'name' }, description: 'The backend the online model runs on (tensorflow, wasm, cpu). cpu means the native and wasm backends failed to load.' }, [
        { expr: 'max by (backend) (rec_model_backend_info)', legend: '{{backend}}' },
      ]),
      clickHousePanel(
        'timeseries',
        { title: 'HR@20 and MRR@20 per minute (ClickHouse)', unit: 'percentunit', description: 'The same online evaluation, per wall-clock minute, kept in model_evaluation beyond Prometheus retention. Minutes without predictions are left out.' },
        sql`
          SELECT
              minute AS time,
              sum(hits_at_20) / sum(predictions) AS hr_at_20,
              sum(reciprocal_rank_sum) / sum(predictions) AS mrr_at_20
          FROM model_evaluation FINAL
          WHERE $__timeFilter(minute)
          GROUP BY time
          HAVING sum(predictions) > 0
          ORDER BY time
        `,
      ),
      clickHousePanel(
        'timeseries',
        { title: 'Model loss and updates per minute (ClickHouse)', unit: 'none', description: 'Mean prequential loss and applied updates per minute, summed over instances, from model_evaluation.' },
        sql`
          SELECT
              minute AS time,
              if(sum(model_loss_count) > 0, sum(model_loss_sum) / sum(model_loss_count), nan) AS mean_loss,
              sum(model_updates) AS updates
          FROM model_evaluation FINAL
          WHERE $__timeFilter(minute)
          GROUP BY time
          ORDER BY time
        `,
      ),
      clickHousePanel(
        'table',
        { title: 'Evaluation by model version (ClickHouse)', w: 24, unit: 'short', columnUnits: { hr_at_20: 'percentunit', mrr_at_20: 'percentunit' }, description: 'HR@20 and MRR@20 per model version over the time range, to compare versions on the same traffic.' },
        sql`
          SELECT
              model_version,
              sum(predictions) AS scored,
              sum(hits_at_20) / scored AS hr_at_20,
              sum(reciprocal_rank_sum) / scored AS mrr_at_20,
              min(minute) AS first_minute,
              max(minute) AS last_minute
          FROM model_evaluation FINAL
          WHERE $__timeFilter(minute)
          GROUP BY model_version
          HAVING scored > 0
          ORDER BY last_minute DESC
          LIMIT 50
        `,
      ),
    ],
  );
}
