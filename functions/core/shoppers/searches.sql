-- One row per search: its best linked product and category (NULL: the search found nothing), how many products it
-- is linked to, and whether it led to a purchase (a linked product bought after it in the session).
SELECT e.event_id AS search_id, e.session_id, e.user_id, e.ts_ms, e.search_term, e.age_band, e.gender, e.income_band, e.region,
       COUNT(l.product_key) AS linked_products,
       MAX(CASE WHEN l.link_rank = 1 THEN l.product_key END) AS top_product_key,
       MAX(CASE WHEN l.link_rank = 1 THEN l.category END) AS top_category,
       COALESCE(MAX(l.purchased), 0) = 1 AS led_to_purchase
FROM events e LEFT JOIN search_links l ON l.search_id = e.event_id
WHERE e.event = 'search'
GROUP BY e.event_id, e.session_id, e.user_id, e.ts_ms, e.search_term, e.age_band, e.gender, e.income_band, e.region
