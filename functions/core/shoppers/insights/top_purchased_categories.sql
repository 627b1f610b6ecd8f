-- The categories bought most: purchase events, units, revenue (price x quantity, where both are given), buyers, and
-- the category's share of all purchases. The top_n parameter keeps that many.
WITH params AS (SELECT CAST(? AS DOUBLE) AS min_support, CAST(? AS BIGINT) AS top_n),
purchases AS (SELECT e.* FROM events e WHERE e.event = 'purchase' AND e.category IS NOT NULL),
by_category AS (
  SELECT p.category, COUNT(*) AS purchases, SUM(COALESCE(p.quantity, 1)) AS units, ROUND(SUM(p.price * COALESCE(p.quantity, 1)), 2) AS revenue,
         COUNT(DISTINCT p.user_id) AS buyers
  FROM purchases p
  GROUP BY p.category
),
ranked AS (
  SELECT b.*, ROUND(CAST(b.purchases AS DOUBLE) / SUM(b.purchases) OVER (), 4) AS share, ROW_NUMBER() OVER (ORDER BY b.purchases DESC, b.category) AS rank
  FROM by_category b
)
SELECT r.rank, r.category, r.purchases, r.units, r.revenue, r.buyers, r.share
FROM ranked r CROSS JOIN params p
WHERE r.rank <= p.top_n
ORDER BY r.rank
