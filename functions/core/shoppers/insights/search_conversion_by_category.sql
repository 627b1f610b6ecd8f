-- Search-to-purchase conversion per category: searches whose best linked product is in the category, and the share
-- of them followed in the same session by the purchase of a linked product.
WITH params AS (SELECT CAST(? AS DOUBLE) AS min_support, CAST(? AS BIGINT) AS top_n),
by_category AS (
  SELECT s.top_category AS category, COUNT(*) AS searches, SUM(CASE WHEN s.led_to_purchase THEN 1 ELSE 0 END) AS purchases
  FROM searches s
  WHERE s.top_category IS NOT NULL
  GROUP BY s.top_category
)
SELECT b.category, b.searches, b.purchases, ROUND(CAST(b.purchases AS DOUBLE) / b.searches, 4) AS conversion
FROM by_category b
ORDER BY conversion DESC, b.category
