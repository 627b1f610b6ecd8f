-- Market-basket analysis, Apriori's third pass: rules {A, B} -> C over category triples bought together in at
-- least 1% of baskets, extended only from frequent pairs. support = share of baskets holding all three;
-- confidence = support(A, B, C) / support(A, B); lift = confidence / support(C).
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
pair_baskets AS (
  SELECT x.basket_id, x.category AS a, y.category AS b
  FROM frequent_items x
  JOIN frequent_items y ON x.basket_id = y.basket_id AND x.category < y.category
  JOIN pairs fp ON fp.a = x.category AND fp.b = y.category
),
triples AS (
  SELECT pb.a, pb.b, z.category AS c, COUNT(*) AS cnt
  FROM pair_baskets pb JOIN frequent_items z ON z.basket_id = pb.basket_id AND pb.b < z.category
  CROSS JOIN baskets t
  GROUP BY pb.a, pb.b, z.category, t.n
  HAVING COUNT(*) >= 0.01 * t.n
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
