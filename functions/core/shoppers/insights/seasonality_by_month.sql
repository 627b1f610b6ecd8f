-- Shopping by calendar month (UTC): sessions, events and purchases, and the month's share of all sessions.
WITH params AS (SELECT CAST(? AS DOUBLE) AS min_support, CAST(? AS BIGINT) AS top_n),
by_month AS (
  SELECT e.event_month AS month, COUNT(DISTINCT e.session_id) AS sessions, COUNT(*) AS events,
         SUM(CASE WHEN e.event = 'purchase' THEN 1 ELSE 0 END) AS purchases
  FROM events e
  GROUP BY e.event_month
)
SELECT m.month, m.sessions, m.events, m.purchases, ROUND(CAST(m.sessions AS DOUBLE) / SUM(m.sessions) OVER (), 4) AS session_share
FROM by_month m
ORDER BY m.month
