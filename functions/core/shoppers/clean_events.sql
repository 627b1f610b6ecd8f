-- The session of each good row of parsed_events that is not a duplicate (event_id = row_no, session_id).
-- Duplicate: the same user logged the same event on the same item (product, or search term) at most
-- dedupe_ms after a previous one (0 ms apart: an exact duplicate); the first is kept.
-- Session: a user's events in time order; an event starts a new session when the time since the user's previous
-- event exceeds the limit for its own kind: search_gap_ms before a search (a search after a long pause is a new
-- errand), other_gap_ms before a view, add_to_cart or purchase (a shopper coming back to a product continues one).
-- Only the narrow columns the three windows need (duplicates, gaps, the running session count) are sorted, and only
-- the session is kept: the other columns join back once, in events.sql. Sorting whole rows is what spilled to disk
-- at ten million events.
-- Parameters: dedupe_ms, search_gap_ms, other_gap_ms.
WITH params AS (SELECT CAST(? AS BIGINT) AS dedupe_ms, CAST(? AS BIGINT) AS search_gap_ms, CAST(? AS BIGINT) AS other_gap_ms),
marked AS (
  SELECT row_no, user_id, ts_ms, event,
         ts_ms - LAG(ts_ms) OVER (PARTITION BY user_id, event, COALESCE(product_key, LOWER(search_term)) ORDER BY ts_ms, row_no) AS since_same
  FROM parsed_events WHERE reject_reason IS NULL
),
gaps AS (
  SELECT m.row_no, m.user_id, m.ts_ms, m.event, m.ts_ms - LAG(m.ts_ms) OVER (PARTITION BY m.user_id ORDER BY m.ts_ms, m.row_no) AS gap_ms
  FROM marked m CROSS JOIN params p WHERE m.since_same IS NULL OR m.since_same > p.dedupe_ms
)
SELECT g.row_no AS event_id,
       g.user_id || '#' || CAST(SUM(CASE WHEN g.gap_ms IS NULL OR g.gap_ms > (CASE WHEN g.event = 'search' THEN p.search_gap_ms ELSE p.other_gap_ms END) THEN 1 ELSE 0 END)
         OVER (PARTITION BY g.user_id ORDER BY g.ts_ms, g.row_no ROWS UNBOUNDED PRECEDING) AS VARCHAR) AS session_id
FROM gaps g CROSS JOIN params p
