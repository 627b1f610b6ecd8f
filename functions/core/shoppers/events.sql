-- The output events: clean events with their product's category and their user's demographics ('unknown' where
-- the demographics file has no row for the user, or the product no category).
SELECT e.event_id, e.user_id, e.session_id, e.ts_ms, e.event, e.search_term, e.product_key, e.product_id, e.product_name,
       e.price, e.quantity,
       COALESCE(c.category, CASE WHEN e.product_key IS NULL THEN NULL ELSE 'unknown' END) AS category, c.class_id,
       COALESCE(d.age_band, 'unknown') AS age_band, COALESCE(d.gender, 'unknown') AS gender,
       COALESCE(d.income_band, 'unknown') AS income_band, COALESCE(d.region, 'unknown') AS region
FROM clean_events e
LEFT JOIN product_categories c ON c.product_key = e.product_key
LEFT JOIN demographics d ON d.user_id = e.user_id
