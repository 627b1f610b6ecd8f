-- Market-basket analysis, Apriori's third pass: rules {A, B} -> C over category triples bought together in at
-- least 1% of baskets, extended only from frequent pairs. support = share of baskets holding all three;
-- confidence = support(A, B, C) / support(A, B); lift = confidence / support(C). Baskets are grouped by their
-- set of frequent categories (a bit set: the 62 most frequent categories), so joins run over distinct sets.
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
triples AS (
  SELECT x.category AS a, y.category AS b, z.category AS c, SUM(x.baskets) AS cnt
  FROM set_members x
  JOIN set_members y ON y.category_set = x.category_set AND x.category < y.category
  JOIN pairs fp ON fp.a = x.category AND fp.b = y.category
  JOIN set_members z ON z.category_set = x.category_set AND y.category < z.category
  CROSS JOIN baskets t
  GROUP BY x.category, y.category, z.category, t.n
  HAVING SUM(x.baskets) >= 0.01 * t.n
),
rules AS (
  SELECT a AS x, b AS y, c AS consequent, cnt FROM triples
  UNION ALL
  SELECT a AS x, c AS y, b AS consequent, cnt FROM triples
  UNION ALL
  SELECT b AS x, c AS y, a AS consequent, cnt FROM triples
)
SELECT r.x AS antecedent_1, r.y AS antecedent_2, r.consequent, r.cnt AS baskets,
       ROUND(CAST(r.cnt AS DOUBLE) / t.n, 4) AS support,
       ROUND(CAST(r.cnt AS DOUBLE) / pr.cnt, 4) AS confidence,
       ROUND((CAST(r.cnt AS DOUBLE) / pr.cnt) / (CAST(sc.cnt AS DOUBLE) / t.n), 4) AS lift
FROM rules r
JOIN pairs pr ON pr.a = r.x AND pr.b = r.y
JOIN singles sc ON sc.category = r.consequent
CROSS JOIN baskets t
ORDER BY lift DESC, support DESC, r.x, r.y, r.consequent
