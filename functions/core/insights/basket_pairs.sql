-- Market-basket analysis over categories (as Apriori's first two passes): for baskets (basket_id, order_id or
-- session_id in the input), every rule A -> B between two categories bought together in at least 1% of baskets.
-- support = share of baskets holding both; confidence = support(A and B) / support(A); lift = confidence / support(B).
WITH params AS (SELECT CAST(? AS VARCHAR) AS job),
basket_items AS (
  SELECT DISTINCT r.basket_id, CASE WHEN r.level2 IS NULL OR r.level2 = '' THEN r.level1 ELSE r.level1 || ' > ' || r.level2 END AS category
  FROM results r CROSS JOIN params p
  WHERE r.basket_id IS NOT NULL AND r.level1 IS NOT NULL AND r.level1 <> '' AND (p.job IS NULL OR r.job_id = p.job)
),
baskets AS (SELECT COUNT(DISTINCT basket_id) AS n FROM basket_items),
singles AS (
  SELECT b.category, COUNT(*) AS cnt
  FROM basket_items b CROSS JOIN baskets t
  GROUP BY b.category, t.n
  HAVING COUNT(*) >= 0.01 * t.n
),
frequent_items AS (
  SELECT b.basket_id, b.category FROM basket_items b JOIN singles s ON s.category = b.category
),
pairs AS (
  SELECT x.category AS a, y.category AS b, COUNT(*) AS cnt
  FROM frequent_items x JOIN frequent_items y ON x.basket_id = y.basket_id AND x.category < y.category
  CROSS JOIN baskets t
  GROUP BY x.category, y.category, t.n
  HAVING COUNT(*) >= 0.01 * t.n
),
rules AS (
  SELECT a AS antecedent, b AS consequent, cnt FROM pairs
  UNION ALL
  SELECT b AS antecedent, a AS consequent, cnt FROM pairs
)
SELECT r.antecedent, r.consequent, r.cnt AS baskets,
       ROUND(CAST(r.cnt AS DOUBLE) / t.n, 4) AS support,
       ROUND(CAST(r.cnt AS DOUBLE) / sa.cnt, 4) AS confidence,
       ROUND((CAST(r.cnt AS DOUBLE) / sa.cnt) / (CAST(sb.cnt AS DOUBLE) / t.n), 4) AS lift
FROM rules r
JOIN singles sa ON sa.category = r.antecedent
JOIN singles sb ON sb.category = r.consequent
CROSS JOIN baskets t
ORDER BY lift DESC, support DESC, r.antecedent, r.consequent
