-- Shopping by hour of the day (UTC, 0 to 23): events, purchases and the hour's share of all events.
WITH params AS (SELECT CAST(? AS DOUBLE) AS min_support, CAST(? AS BIGINT) AS top_n),
by_hour AS (
  SELECT c.event_hour AS hour, CAST(SUM(c.events) AS BIGINT) AS events, CAST(SUM(c.purchases) AS BIGINT) AS purchases
  FROM calendar_activity c
  GROUP BY c.event_hour
)
SELECT h.hour, h.events, h.purchases, ROUND(CAST(h.events AS DOUBLE) / SUM(h.events) OVER (), 4) AS event_share
FROM by_hour h
ORDER BY h.hour
