-- The distinct products of the good rows (a duplicate names no product its first does not), each with the name it
-- is classified by (the smallest of its names; the product id when no row names it).
SELECT product_key, COALESCE(MIN(product_name), MIN(product_id)) AS product_name
FROM parsed_events
WHERE reject_reason IS NULL AND product_key IS NOT NULL
GROUP BY product_key
