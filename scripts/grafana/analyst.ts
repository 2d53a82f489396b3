import { dashboard, type Dashboard } from './dashboard.ts';
import { clickHousePanel, sql } from './panels.ts';

/**
 * The analyst board, all from ClickHouse. The SQL runs on ClickHouse 18.16 as well as current releases:
 * explicit join strictness (ALL/ANY) with USING, one JOIN per SELECT, toStartOf* instead of
 * toStartOfInterval, and aggregate aliases that never reuse a column's name (old releases call that a
 * cyclic alias). Tables are unqualified: the datasource's default database decides.
 */
export function analystDashboard(): Dashboard {
  return dashboard(
    {
      uid: 'streamrec-analyst',
      title: 'streamrec / Analyst',
      description: 'What the recommendations do: click-through by source, conversion, trending items, coverage, traffic.',
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
              ANY LEFT JOIN
              (
                  SELECT recommendation_id, groupUniqArray(item_id) AS clicked_items
                  FROM interactions
                  WHERE type = 'click' AND recommendation_id IN
                  (
                      SELECT recommendation_id
                      FROM recommendations
                      WHERE $__timeFilter(generated_time)
                  )
                  GROUP BY recommendation_id
              ) USING recommendation_id
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
              WHERE type IN ('add_to_cart', 'purchase') AND session_id IN
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
          ORDER BY hour DESC, category_id, activity DESC
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
