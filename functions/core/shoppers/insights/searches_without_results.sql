-- Searches that found nothing: terms (lower-cased, trimmed) whose searches were linked to no product, with how
-- often and by how many shoppers they were searched; top_n terms, most searched first.
WITH params AS (SELECT CAST(? AS DOUBLE) AS min_support, CAST(? AS BIGINT) AS top_n),
terms AS (
  SELECT LOWER(TRIM(s.search_term)) AS search_term, COUNT(*) AS searches, COUNT(DISTINCT s.user_id) AS shoppers
  FROM searches s
  WHERE s.linked_products = 0
  GROUP BY LOWER(TRIM(s.search_term))
),
ranked AS (SELECT t.*, ROW_NUMBER() OVER (ORDER BY t.searches DESC, t.search_term) AS rank FROM terms t)
SELECT r.rank, r.search_term, r.searches, r.shoppers
FROM ranked r CROSS JOIN params p
WHERE r.rank <= p.top_n
ORDER BY r.rank
