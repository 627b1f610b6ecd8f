-- Categories bought together in a session (Apriori over the purchases of each session, as a basket): every
-- frequent pair and triple, as rules "antecedent -> consequent" (a triple gives three: each pair -> the third).
-- A set is frequent when at least min_support of the purchase sessions hold it; a triple is counted only when its
-- three pairs are frequent. support = share of purchase sessions holding the set; confidence = support(set) /
-- support(antecedent); lift = confidence / support(consequent) (above 1: bought together more than by chance).
WITH params AS (SELECT CAST(? AS DOUBLE) AS min_support, CAST(? AS BIGINT) AS top_n),
basket_items AS (
  SELECT DISTINCT e.session_id, e.category
  FROM events e
  WHERE e.event = 'purchase' AND e.category IS NOT NULL AND e.category <> 'unknown'
),
baskets AS (SELECT COUNT(DISTINCT session_id) AS n FROM basket_items),
singles AS (
  SELECT b.category, COUNT(*) AS cnt
  FROM basket_items b CROSS JOIN baskets t CROSS JOIN params p
  GROUP BY b.category, t.n, p.min_support
  HAVING COUNT(*) >= p.min_support * t.n
),
frequent_items AS (SELECT b.* FROM basket_items b JOIN singles s ON s.category = b.category),
pairs AS (
  SELECT x.category AS a, y.category AS b, COUNT(*) AS cnt
  FROM frequent_items x JOIN frequent_items y ON y.session_id = x.session_id AND x.category < y.category
  CROSS JOIN baskets t CROSS JOIN params p
  GROUP BY x.category, y.category, t.n, p.min_support
  HAVING COUNT(*) >= p.min_support * t.n
),
pair_items AS (
  SELECT x.session_id, x.category AS a, y.category AS b
  FROM frequent_items x JOIN frequent_items y ON y.session_id = x.session_id AND x.category < y.category
  JOIN pairs f ON f.a = x.category AND f.b = y.category
),
triples AS (
  SELECT x.a, x.b, z.category AS c, COUNT(*) AS cnt
  FROM pair_items x JOIN frequent_items z ON z.session_id = x.session_id AND x.b < z.category
  JOIN pairs ac ON ac.a = x.a AND ac.b = z.category
  JOIN pairs bc ON bc.a = x.b AND bc.b = z.category
  CROSS JOIN baskets t CROSS JOIN params p
  GROUP BY x.a, x.b, z.category, t.n, p.min_support
  HAVING COUNT(*) >= p.min_support * t.n
),
rules AS (
  SELECT 2 AS size, f.a AS antecedent, sa.cnt AS antecedent_cnt, f.b AS consequent, f.cnt FROM pairs f JOIN singles sa ON sa.category = f.a
  UNION ALL
  SELECT 2 AS size, f.b AS antecedent, sb.cnt AS antecedent_cnt, f.a AS consequent, f.cnt FROM pairs f JOIN singles sb ON sb.category = f.b
  UNION ALL
  SELECT 3 AS size, t.a || ' + ' || t.b AS antecedent, ab.cnt AS antecedent_cnt, t.c AS consequent, t.cnt FROM triples t JOIN pairs ab ON ab.a = t.a AND ab.b = t.b
  UNION ALL
  SELECT 3 AS size, t.a || ' + ' || t.c AS antecedent, ac.cnt AS antecedent_cnt, t.b AS consequent, t.cnt FROM triples t JOIN pairs ac ON ac.a = t.a AND ac.b = t.c
  UNION ALL
  SELECT 3 AS size, t.b || ' + ' || t.c AS antecedent, bc.cnt AS antecedent_cnt, t.a AS consequent, t.cnt FROM triples t JOIN pairs bc ON bc.a = t.b AND bc.b = t.c
)
SELECT r.size, r.antecedent, r.consequent, r.cnt AS sessions,
       ROUND(CAST(r.cnt AS DOUBLE) / t.n, 4) AS support,
       ROUND(CAST(r.cnt AS DOUBLE) / r.antecedent_cnt, 4) AS confidence,
       ROUND((CAST(r.cnt AS DOUBLE) / r.antecedent_cnt) / (CAST(s.cnt AS DOUBLE) / t.n), 4) AS lift
FROM rules r
JOIN singles s ON s.category = r.consequent
CROSS JOIN baskets t
ORDER BY r.size, lift DESC, support DESC, r.antecedent, r.consequent
