-- Shopping by calendar month (UTC): sessions, events and purchases, and the month's share of all sessions.
WITH params AS (SELECT CAST(? AS DOUBLE) AS min_support, CAST(? AS BIGINT) AS top_n),
by_month AS (
  SELECT c.event_month AS month, CAST(SUM(c.month_sessions) AS BIGINT) AS sessions, CAST(SUM(c.events) AS BIGINT) AS events,
         CAST(SUM(c.purchases) AS BIGINT) AS purchases
  FROM calendar_activity c
  GROUP BY c.event_month
)
SELECT m.month, m.sessions, m.events, m.purchases, ROUND(CAST(m.sessions AS DOUBLE) / SUM(m.sessions) OVER (), 4) AS session_share
FROM by_month m
ORDER BY m.month
