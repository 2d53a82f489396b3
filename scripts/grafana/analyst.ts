import { dashboard, type Dashboard } from './dashboard.ts';
import { clickHousePanel, sql } from './panels.ts';

/**
 * The analyst board, all from ClickHouse. The SQL runs on ClickHouse 18.16 as well as current releases:
 * explicit join strictness (ALL/ANY) with USING, one JOIN per SELECT, toStartOf* instead of
 * toStartOfInterval, and aggregate aliases that never reuse a column's name (old releases call that a
 * cyclic alias). Tables are unqualified: the datasource's default database decides. A subquery of an
 * IN is a GLOBAL IN: on a cluster (clickhouse.cluster) its set is built once over all shards, where a
 * plain IN inside a query on a Distributed table is refused; on one server it means the same.
 */
/** Joins each served list (in the time range) to the items clicked on it; shared by the CTR panels. */
const CLICKED_ITEMS_BY_LIST = `              ANY LEFT JOIN
              (
                  SELECT recommendation_id, groupUniqArray(item_id) AS clicked_items
                  FROM interactions
                  WHERE type = 'click' AND recommendation_id GLOBAL IN
                  (
                      SELECT recommendation_id
                      FROM recommendations
                      WHERE $__timeFilter(generated_time)
                  )
                  GROUP BY recommendation_id
              ) USING recommendation_id`;

export function analystDashboard(): Dashboard {
  return dashboard(
    {
      uid: 'streamrec-analyst',
      title: 'streamrec / Analyst',
      description: 'What the recommendations do: click-through by source and by reason, A/B arms, conversion, trending items, coverage, traffic.',
      tags: ['streamrec', 'analyst'],
      time: { from: 'now-7d', to: 'now' },
    },
    [
      clickHousePanel(
        'table',
        { title: 'CTR of recommended items by source', unit: 'short', columnUnits: { ctr: 'percentunit' }, description: 'Of the lists served in the time range, every item is an impression credited to the source that put it there; it is a click when a click carrying that list\'s recommendation_id names the item. Anchored on the list, so a click just after the range still counts.' },
        sql`
          SELECT
              source,
              count() AS impressions,
              sum(has(clicked_items, item)) AS clicks,
              clicks / impressions AS ctr
          FROM
          (
              SELECT recommendation_id, items, sources, clicked_items
              FROM
              (
                  SELECT recommendation_id, items, sources
                  FROM recommendations FINAL
                  WHERE $__timeFilter(generated_time)
              )
${CLICKED_ITEMS_BY_LIST}
          )
          ARRAY JOIN items AS item, sources AS source
          GROUP BY source
          ORDER BY impressions DESC
        `,
      ),
      clickHousePanel(
        'table',
        { title: 'Conversion after a recommendation click', unit: 'short', columnUnits: { cart_rate: 'percentunit', purchase_rate: 'percentunit' }, description: 'Of the (session, item) pairs clicked from a served list in the time range, how many the same session put in the cart or bought at or after the click.' },
        sql`
          SELECT
              count() AS clicked_items,
              countIf(carted_ts >= clicked_ts) AS then_carted,
              countIf(purchased_ts >= clicked_ts) AS then_purchased,
              then_carted / clicked_items AS cart_rate,
              then_purchased / clicked_items AS purchase_rate
          FROM
          (
              SELECT session_id, item_id, min(ts) AS clicked_ts
              FROM interactions
              WHERE type = 'click' AND $__timeFilter(event_time)
              GROUP BY session_id, item_id
          )
          ANY LEFT JOIN
          (
              SELECT
                  session_id,
                  item_id,
                  maxIf(ts, type = 'add_to_cart') AS carted_ts,
                  maxIf(ts, type = 'purchase') AS purchased_ts
              FROM events
              WHERE type IN ('add_to_cart', 'purchase') AND session_id GLOBAL IN
              (
                  SELECT session_id
                  FROM interactions
                  WHERE type = 'click' AND $__timeFilter(event_time)
              )
              GROUP BY session_id, item_id
          ) USING (session_id, item_id)
        `,
      ),
      clickHousePanel(
        'table',
        { title: 'CTR of recommended items by reason', unit: 'short', columnUnits: { ctr: 'percentunit' }, description: 'As CTR by source, but credited to the reason the engine gave the shopper for the item (bought together, because you viewed, trending in category, popular; none where it gave none). Lists written before reasons were stored are left out.' },
        sql`
          SELECT
              reason,
              count() AS impressions,
              sum(has(clicked_items, item)) AS clicks,
              clicks / impressions AS ctr
          FROM
          (
              SELECT recommendation_id, items, reason_types, clicked_items
              FROM
              (
                  SELECT recommendation_id, items, reasons AS reason_types
                  FROM recommendations FINAL
                  WHERE $__timeFilter(generated_time) AND notEmpty(reasons)
              )
${CLICKED_ITEMS_BY_LIST}
          )
          ARRAY JOIN items AS item, reason_types AS reason_type
          GROUP BY if(reason_type = '', 'none', reason_type) AS reason
          ORDER BY impressions DESC
        `,
      ),
      clickHousePanel(
        'table',
        { title: 'A/B: click-through and conversion by variant', unit: 'short', columnUnits: { ctr: 'percentunit', ctr_low: 'percentunit', ctr_high: 'percentunit', conversion: 'percentunit', conversion_low: 'percentunit', conversion_high: 'percentunit' }, description: 'Per experiment arm: lists served in the time range and the share with a click, sessions active in the range and the share that bought, each with its 95 % Wilson interval (docs/analytics.md, query 16).' },
        sql`
          SELECT
              variant,
              lists,
              clicked_lists,
              clicked_lists / lists AS ctr,
              (ctr + 1.9208 / lists - 1.96 * sqrt(ctr * (1 - ctr) / lists + 0.9604 / (lists * lists))) / (1 + 3.8416 / lists) AS ctr_low,
              (ctr + 1.9208 / lists + 1.96 * sqrt(ctr * (1 - ctr) / lists + 0.9604 / (lists * lists))) / (1 + 3.8416 / lists) AS ctr_high,
              sessions,
              converted_sessions,
              converted_sessions / sessions AS conversion,
              (conversion + 1.9208 / sessions - 1.96 * sqrt(conversion * (1 - conversion) / sessions + 0.9604 / (sessions * sessions))) / (1 + 3.8416 / sessions) AS conversion_low,
              (conversion + 1.9208 / sessions + 1.96 * sqrt(conversion * (1 - conversion) / sessions + 0.9604 / (sessions * sessions))) / (1 + 3.8416 / sessions) AS conversion_high
          FROM
          (
              SELECT variant, count() AS lists, sum(clicked) AS clicked_lists
              FROM
              (
                  SELECT recommendation_id, variant
                  FROM recommendations FINAL
                  WHERE $__timeFilter(generated_time)
              )
              ANY LEFT JOIN
              (
                  SELECT recommendation_id, 1 AS clicked
                  FROM interactions
                  WHERE type = 'click'
                  GROUP BY recommendation_id
              ) USING recommendation_id
              GROUP BY variant
          )
          ANY LEFT JOIN
          (
              SELECT variant, count() AS sessions, sum(bought) AS converted_sessions
              FROM
              (
                  SELECT variant, session_id, max(type = 'purchase') AS bought
                  FROM events
                  WHERE $__timeFilter(event_time) AND variant != ''
                  GROUP BY variant, session_id
              )
              GROUP BY variant
          ) USING variant
          ORDER BY variant
        `,
      ),
      clickHousePanel(
        'table',
        { title: 'Trending items per category per hour', w: 24, h: 10, unit: 'short', description: 'The five most active items of each category in each hour (views + clicks + carts + purchases), newest hour first.' },
        sql`
          SELECT
              hour,
              category_id,
              item_id,
              sum(views) AS hour_views,
              sum(clicks) AS hour_clicks,
              sum(carts) AS hour_carts,
              sum(purchases) AS hour_purchases,
              hour_views + hour_clicks + hour_carts + hour_purchases AS activity
          FROM item_events_hourly
          WHERE $__timeFilter(hour)
          GROUP BY hour, category_id, item_id
          ORDER BY hour DESC, category_id, activity DESC, item_id
          LIMIT 5 BY hour, category_id
          LIMIT 500
        `,
      ),
      clickHousePanel(
        'stat',
        { title: 'Catalogue coverage', unit: 'short', columnUnits: { coverage: 'percentunit' }, w: 8, description: 'Distinct items recommended in the time range over distinct items any event ever touched. The catalogue does not depend on the range, so it is counted over all time, from the hourly rollup of events. Low coverage means the lists keep to a few popular items.' },
        sql`
          SELECT
              (
                  SELECT uniqExact(item)
                  FROM recommendations
                  ARRAY JOIN items AS item
                  WHERE $__timeFilter(generated_time)
              ) AS recommended_items,
              (
                  SELECT uniqExact(item_id)
                  FROM item_events_hourly
              ) AS catalogue_items,
              recommended_items / catalogue_items AS coverage
        `,
      ),
      clickHousePanel(
        'timeseries',
        { title: 'Events per minute by type', unit: 'short', w: 16, description: 'Valid events per minute of event time, by type, from the events_per_minute rollup.' },
        sql`
          SELECT minute AS time, type, sum(events) AS per_minute
          FROM events_per_minute
          WHERE $__timeFilter(minute)
          GROUP BY time, type
          ORDER BY time
        `,
      ),
      clickHousePanel(
        'timeseries',
        { title: 'Lists served per minute', unit: 'short', w: 24, description: 'Ranked lists written per minute, by owner (session or user) and experiment variant, from the recommendations_per_minute rollup.' },
        sql`
          SELECT minute AS time, concat(owner_kind, ' ', variant) AS served_to, sum(lists) AS per_minute
          FROM recommendations_per_minute
          WHERE $__timeFilter(minute)
          GROUP BY time, served_to
          ORDER BY time
        `,
      ),
    ],
  );
}
