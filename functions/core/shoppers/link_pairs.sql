-- The distinct (search term, product) pairs among the link candidates: what the text similarity is computed for.
SELECT DISTINCT c.search_term, c.product_key, p.product_name
FROM link_candidates c JOIN products p ON p.product_key = c.product_key
