-- Who buys each category: purchases by age band, gender and income band (one row per category, dimension and
-- value), the value's share of the category's purchases, and its skew index: that share over the value's share of all
-- purchases (above 1: the category skews toward it). Shoppers without demographics count as 'unknown'.
WITH params AS (SELECT CAST(? AS DOUBLE) AS min_support, CAST(? AS BIGINT) AS top_n),
purchases AS (SELECT e.* FROM events e WHERE e.event = 'purchase' AND e.category IS NOT NULL),
by_value AS (
  SELECT p.category, 'age_band' AS dimension, p.age_band AS value, COUNT(*) AS purchases, COUNT(DISTINCT p.user_id) AS buyers FROM purchases p GROUP BY p.category, p.age_band
  UNION ALL
  SELECT p.category, 'gender' AS dimension, p.gender AS value, COUNT(*) AS purchases, COUNT(DISTINCT p.user_id) AS buyers FROM purchases p GROUP BY p.category, p.gender
  UNION ALL
  SELECT p.category, 'income_band' AS dimension, p.income_band AS value, COUNT(*) AS purchases, COUNT(DISTINCT p.user_id) AS buyers FROM purchases p GROUP BY p.category, p.income_band
),
shares AS (
  SELECT v.*, CAST(v.purchases AS DOUBLE) / SUM(v.purchases) OVER (PARTITION BY v.category, v.dimension) AS share,
         CAST(SUM(v.purchases) OVER (PARTITION BY v.dimension, v.value) AS DOUBLE) / SUM(v.purchases) OVER (PARTITION BY v.dimension) AS overall_share
  FROM by_value v
)
SELECT s.category, s.dimension, s.value, s.purchases, s.buyers, ROUND(s.share, 4) AS share, ROUND(s.share / s.overall_share, 4) AS skew_index
FROM shares s
ORDER BY s.category, s.dimension, s.value
