-- Shopping by ISO week (UTC, "2025-W37"): sessions, events and purchases, and the week's share of all sessions.
WITH params AS (SELECT CAST(? AS DOUBLE) AS min_support, CAST(? AS BIGINT) AS top_n),
by_week AS (
  SELECT c.event_week AS week, CAST(SUM(c.week_sessions) AS BIGINT) AS sessions, CAST(SUM(c.events) AS BIGINT) AS events,
         CAST(SUM(c.purchases) AS BIGINT) AS purchases
  FROM calendar_activity c
  GROUP BY c.event_week
)
SELECT w.week, w.sessions, w.events, w.purchases, ROUND(CAST(w.sessions AS DOUBLE) / SUM(w.sessions) OVER (), 4) AS session_share
FROM by_week w
ORDER BY w.week
