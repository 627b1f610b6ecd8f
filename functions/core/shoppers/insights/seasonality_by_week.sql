-- Shopping by ISO week (UTC, "2025-W37"): sessions, events and purchases, and the week's share of all sessions.
WITH params AS (SELECT CAST(? AS DOUBLE) AS min_support, CAST(? AS BIGINT) AS top_n),
by_week AS (
  SELECT e.event_week AS week, COUNT(DISTINCT e.session_id) AS sessions, COUNT(*) AS events,
         SUM(CASE WHEN e.event = 'purchase' THEN 1 ELSE 0 END) AS purchases
  FROM events e
  GROUP BY e.event_week
)
SELECT w.week, w.sessions, w.events, w.purchases, ROUND(CAST(w.sessions AS DOUBLE) / SUM(w.sessions) OVER (), 4) AS session_share
FROM by_week w
ORDER BY w.week
