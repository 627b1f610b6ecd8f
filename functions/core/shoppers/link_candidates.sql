-- Every product a search could have led to: viewed, added to cart or bought at or after the search, in its session;
-- after_ms is the time to the first of those events, purchased whether the product was bought after the search.
WITH searches AS (SELECT event_id AS search_id, session_id, ts_ms, search_term FROM events WHERE event = 'search'),
acts AS (SELECT session_id, ts_ms, event, product_key FROM events WHERE event <> 'search')
SELECT s.search_id, s.search_term, a.product_key, MIN(a.ts_ms - s.ts_ms) AS after_ms,
       MAX(CASE WHEN a.event = 'purchase' THEN 1 ELSE 0 END) AS purchased
FROM searches s JOIN acts a ON a.session_id = s.session_id AND a.ts_ms >= s.ts_ms
GROUP BY s.search_id, s.search_term, a.product_key
