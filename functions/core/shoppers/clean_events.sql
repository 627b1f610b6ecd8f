-- The good rows of parsed_events without duplicates, cut into sessions.
-- Duplicate: the same user logged the same event on the same item (product, or search term) at most
-- dedupe_ms after a previous one (0 ms apart: an exact duplicate); the first is kept.
-- Session: a user's events in time order; an event starts a new session when the time since the user's previous
-- event exceeds the limit for its own kind: search_gap_ms before a search (a search after a long pause is a new
-- errand), other_gap_ms before a view, add_to_cart or purchase (a shopper coming back to a product continues one).
-- Parameters: dedupe_ms, search_gap_ms, other_gap_ms.
WITH params AS (SELECT CAST(? AS BIGINT) AS dedupe_ms, CAST(? AS BIGINT) AS search_gap_ms, CAST(? AS BIGINT) AS other_gap_ms),
kept AS (
  SELECT row_no, user_id, ts_ms, event, search_term, product_id, product_name, price, quantity,
         CASE WHEN event = 'search' THEN NULL ELSE COALESCE(product_id, LOWER(product_name)) END AS product_key
  FROM parsed_events WHERE reject_reason IS NULL
),
marked AS (
  SELECT k.*, ts_ms - LAG(ts_ms) OVER (PARTITION BY user_id, event, COALESCE(product_key, LOWER(search_term)) ORDER BY ts_ms, row_no) AS since_same
  FROM kept k
),
deduped AS (SELECT m.* FROM marked m CROSS JOIN params p WHERE m.since_same IS NULL OR m.since_same > p.dedupe_ms),
gaps AS (SELECT d.*, ts_ms - LAG(ts_ms) OVER (PARTITION BY user_id ORDER BY ts_ms, row_no) AS gap_ms FROM deduped d),
starts AS (
  SELECT g.*, CASE WHEN g.gap_ms IS NULL OR g.gap_ms > (CASE WHEN g.event = 'search' THEN p.search_gap_ms ELSE p.other_gap_ms END) THEN 1 ELSE 0 END AS starts_session
  FROM gaps g CROSS JOIN params p
)
SELECT row_no AS event_id, user_id, ts_ms, event, search_term, product_id, product_name, product_key, price, quantity,
       user_id || '#' || CAST(SUM(starts_session) OVER (PARTITION BY user_id ORDER BY ts_ms, row_no ROWS UNBOUNDED PRECEDING) AS VARCHAR) AS session_id
FROM starts
