-- One row per session: its user and demographics, start and end (epoch ms), duration and events of each kind.
SELECT session_id, user_id, MIN(ts_ms) AS start_ms, MAX(ts_ms) AS end_ms, CAST(MAX(ts_ms) - MIN(ts_ms) AS DOUBLE) / 1000 AS duration_s,
       COUNT(*) AS events,
       SUM(CASE WHEN event = 'search' THEN 1 ELSE 0 END) AS searches,
       SUM(CASE WHEN event = 'view' THEN 1 ELSE 0 END) AS views,
       SUM(CASE WHEN event = 'add_to_cart' THEN 1 ELSE 0 END) AS carts,
       SUM(CASE WHEN event = 'purchase' THEN 1 ELSE 0 END) AS purchases,
       MIN(age_band) AS age_band, MIN(gender) AS gender, MIN(income_band) AS income_band, MIN(region) AS region
FROM events
GROUP BY session_id, user_id
