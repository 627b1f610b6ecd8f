-- The distinct products of the clean events, each with the name it is classified by (the smallest of its names;
-- the product id when no row names it).
SELECT product_key, COALESCE(MIN(product_name), MIN(product_id)) AS product_name
FROM clean_events
WHERE product_key IS NOT NULL
GROUP BY product_key
