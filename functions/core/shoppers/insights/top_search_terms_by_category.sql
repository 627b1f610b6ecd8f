-- The most frequent search terms (lower-cased, trimmed) of each category, a search's category being that of its
-- best linked product; top_n terms per category, with how many of their searches led to a purchase.
WITH params AS (SELECT CAST(? AS DOUBLE) AS min_support, CAST(? AS BIGINT) AS top_n),
terms AS (
  SELECT s.top_category AS category, LOWER(TRIM(s.search_term)) AS search_term, COUNT(*) AS searches,
         SUM(CASE WHEN s.led_to_purchase THEN 1 ELSE 0 END) AS led_to_purchase
  FROM searches s
  WHERE s.top_category IS NOT NULL
  GROUP BY s.top_category, LOWER(TRIM(s.search_term))
),
ranked AS (SELECT t.*, ROW_NUMBER() OVER (PARTITION BY t.category ORDER BY t.searches DESC, t.search_term) AS rank FROM terms t)
SELECT r.category, r.rank, r.search_term, r.searches, r.led_to_purchase
FROM ranked r CROSS JOIN params p
WHERE r.rank <= p.top_n
ORDER BY r.category, r.rank
