-- Each search's linked products, best first: score = text similarity of term and product name x 0.5^(time after the
-- search / half-life); links scoring under the floor are dropped, at most top_n kept per search.
-- Parameters: half_life_s, floor, top_n. Reads link_candidates, link_similarity (search_term, product_key, similarity).
WITH params AS (SELECT CAST(? AS DOUBLE) AS half_life_s, CAST(? AS DOUBLE) AS floor_score, CAST(? AS BIGINT) AS top_n),
scored AS (
  SELECT c.search_id, c.product_key, c.after_ms, c.purchased, s.similarity,
         s.similarity * POWER(0.5, (CAST(c.after_ms AS DOUBLE) / 1000) / p.half_life_s) AS score
  FROM link_candidates c
  JOIN link_similarity s ON s.search_term = c.search_term AND s.product_key = c.product_key
  CROSS JOIN params p
),
ranked AS (
  SELECT x.*, ROW_NUMBER() OVER (PARTITION BY x.search_id ORDER BY x.score DESC, x.product_key) AS link_rank
  FROM scored x CROSS JOIN params p WHERE x.score >= p.floor_score
)
SELECT r.search_id, e.session_id, e.user_id, e.ts_ms, e.search_term, r.link_rank, r.product_key, pc.product_name, pc.category,
       ROUND(r.similarity, 4) AS similarity, r.after_ms, ROUND(r.score, 4) AS score, r.purchased
FROM ranked r
CROSS JOIN params p
JOIN events e ON e.event_id = r.search_id
LEFT JOIN product_categories pc ON pc.product_key = r.product_key
WHERE r.link_rank <= p.top_n
