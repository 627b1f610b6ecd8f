-- Market-basket analysis over categories (Apriori's first two passes): for baskets (basket_id, order_id or
-- session_id in the input), every rule A -> B between two categories bought together in at least 1% of baskets.
-- support = share of baskets holding both; confidence = support(A and B) / support(A); lift = confidence / support(B).
-- Baskets are grouped by their set of frequent categories (a bit set: the 62 most frequent categories), so the
-- pair join runs over distinct sets, not over every basket.
WITH params AS (SELECT CAST(? AS VARCHAR) AS job, CAST(? AS VARCHAR) AS tenant),
tenant_results AS (SELECT r.* FROM results r CROSS JOIN params p WHERE r.tenant = p.tenant),
basket_items AS (
  SELECT DISTINCT r.basket_id, CASE WHEN r.level2 IS NULL OR r.level2 = '' THEN r.level1 ELSE r.level1 || ' > ' || r.level2 END AS category
  FROM tenant_results r CROSS JOIN params p
  WHERE r.basket_id IS NOT NULL AND r.level1 IS NOT NULL AND r.level1 <> '' AND (p.job IS NULL OR r.job_id = p.job)
),
baskets AS (SELECT COUNT(DISTINCT basket_id) AS n FROM basket_items),
singles AS (
  SELECT b.category, COUNT(*) AS cnt
  FROM basket_items b CROSS JOIN baskets t
  GROUP BY b.category, t.n
  HAVING COUNT(*) >= 0.01 * t.n
),
category_bits AS (
  SELECT category, cnt, CAST(POWER(2, bit) AS BIGINT) AS bit_value, CAST(POWER(2, bit + 1) AS BIGINT) AS next_bit_value
  FROM (SELECT category, cnt, ROW_NUMBER() OVER (ORDER BY cnt DESC, category) - 1 AS bit FROM singles) ranked
  WHERE bit < 62
),
basket_sets AS (
  SELECT b.basket_id, SUM(c.bit_value) AS category_set
  FROM basket_items b JOIN category_bits c ON c.category = b.category
  GROUP BY b.basket_id
),
set_members AS (
  SELECT s.category_set, s.baskets, c.category
  FROM (SELECT category_set, COUNT(*) AS baskets FROM basket_sets GROUP BY category_set) s
  JOIN category_bits c ON s.category_set % c.next_bit_value >= c.bit_value
),
pairs AS (
  SELECT x.category AS a, y.category AS b, SUM(x.baskets) AS cnt
  FROM set_members x JOIN set_members y ON x.category_set = y.category_set AND x.category < y.category
  CROSS JOIN baskets t
  GROUP BY x.category, y.category, t.n
  HAVING SUM(x.baskets) >= 0.01 * t.n
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
