-- Categories bought together in a session (Apriori over the purchases of each session, as a basket): every
-- frequent pair and triple, as rules "antecedent -> consequent" (a triple gives three: each pair -> the third).
-- A set is frequent when at least min_support of the purchase sessions hold it; a triple is counted only when its
-- three pairs are frequent. support = share of purchase sessions holding the set; confidence = support(set) /
-- support(antecedent); lift = confidence / support(consequent) (above 1: bought together more than by chance).
-- Baskets are grouped by their set of frequent categories (a BIGINT bit set over the 62 most frequent), so the
-- pair and triple joins run over distinct sets, not over every session.
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
category_bits AS (
  SELECT category, cnt, CAST(POWER(2, bit) AS BIGINT) AS bit_value, CAST(POWER(2, bit + 1) AS BIGINT) AS next_bit_value
  FROM (SELECT category, cnt, ROW_NUMBER() OVER (ORDER BY cnt DESC, category) - 1 AS bit FROM singles) ranked
  WHERE bit < 62
),
basket_sets AS (
  SELECT b.session_id, SUM(c.bit_value) AS category_set
  FROM basket_items b JOIN category_bits c ON c.category = b.category
  GROUP BY b.session_id
),
set_members AS (
  SELECT s.category_set, s.baskets, c.category
  FROM (SELECT category_set, COUNT(*) AS baskets FROM basket_sets GROUP BY category_set) s
  JOIN category_bits c ON s.category_set % c.next_bit_value >= c.bit_value
),
pairs AS (
  SELECT x.category AS a, y.category AS b, SUM(x.baskets) AS cnt
  FROM set_members x JOIN set_members y ON y.category_set = x.category_set AND x.category < y.category
  CROSS JOIN baskets t CROSS JOIN params p
  GROUP BY x.category, y.category, t.n, p.min_support
  HAVING SUM(x.baskets) >= p.min_support * t.n
),
triples AS (
  SELECT x.category AS a, y.category AS b, z.category AS c, SUM(x.baskets) AS cnt
  FROM set_members x
  JOIN set_members y ON y.category_set = x.category_set AND x.category < y.category
  JOIN set_members z ON z.category_set = x.category_set AND y.category < z.category
  JOIN pairs ab ON ab.a = x.category AND ab.b = y.category
  JOIN pairs ac ON ac.a = x.category AND ac.b = z.category
  JOIN pairs bc ON bc.a = y.category AND bc.b = z.category
  CROSS JOIN baskets t CROSS JOIN params p
  GROUP BY x.category, y.category, z.category, t.n, p.min_support
  HAVING SUM(x.baskets) >= p.min_support * t.n
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
