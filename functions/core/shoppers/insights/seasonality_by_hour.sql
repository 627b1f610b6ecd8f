-- Shopping by hour of the day (UTC, 0 to 23): events, purchases and the hour's share of all events.
WITH params AS (SELECT CAST(? AS DOUBLE) AS min_support, CAST(? AS BIGINT) AS top_n),
by_hour AS (
  SELECT e.event_hour AS hour, COUNT(*) AS events, SUM(CASE WHEN e.event = 'purchase' THEN 1 ELSE 0 END) AS purchases
  FROM events e
  GROUP BY e.event_hour
)
SELECT h.hour, h.events, h.purchases, ROUND(CAST(h.events AS DOUBLE) / SUM(h.events) OVER (), 4) AS event_share
FROM by_hour h
ORDER BY h.hour
