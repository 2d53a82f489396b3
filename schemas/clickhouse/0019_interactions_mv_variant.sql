-- Fills `interactions` from every insert into `events` (a redelivered event collapses there too),
-- with the A/B arm of the event (replaces the view of 0006).
CREATE MATERIALIZED VIEW IF NOT EXISTS {{db}}.interactions_mv TO {{db}}.interactions AS
SELECT
    event_id, type, ts, session_id, user_id, item_id, recommendation_id, variant, price, quantity, ingested_ms,
    toDateTime(intDiv(ts, 1000)) AS event_time,
    toDate(toDateTime(intDiv(ts, 1000))) AS event_date
FROM {{db}}.events
WHERE recommendation_id != '' AND type IN ('click', 'add_to_cart', 'purchase')
