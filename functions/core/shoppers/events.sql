-- The output events: the rows clean_events kept, with their session, their product's category and their user's
-- demographics ('unknown' where the demographics file has no row for the user, or the product no category).
SELECT c.event_id, e.user_id, c.session_id, e.ts_ms, e.event, e.search_term, e.product_key, e.product_id, e.product_name,
       e.price, e.quantity,
       COALESCE(pc.category, CASE WHEN e.product_key IS NULL THEN NULL ELSE 'unknown' END) AS category, pc.class_id,
       COALESCE(d.age_band, 'unknown') AS age_band, COALESCE(d.gender, 'unknown') AS gender,
       COALESCE(d.income_band, 'unknown') AS income_band, COALESCE(d.region, 'unknown') AS region
FROM clean_events c
JOIN parsed_events e ON e.row_no = c.event_id
LEFT JOIN product_categories pc ON pc.product_key = e.product_key
LEFT JOIN demographics d ON d.user_id = e.user_id
