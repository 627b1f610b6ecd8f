-- Category drift: the latest job's category mix (or the job given) against all earlier jobs together, as a
-- population stability index. psi = sum((p - q) * ln(p / q)) over categories, shares floored at 0.0001 so an
-- empty category counts without dividing by zero; drifted = psi > 0.2. No earlier job: psi is null.
WITH params AS (SELECT CAST(? AS VARCHAR) AS job, CAST(? AS VARCHAR) AS tenant),
tenant_results AS (SELECT r.* FROM results r CROSS JOIN params p WHERE r.tenant = p.tenant),
job_times AS (
  SELECT job_id, MAX(decided_at) AS last_at FROM tenant_results GROUP BY job_id
),
target AS (
  SELECT j.job_id, j.last_at
  FROM job_times j CROSS JOIN params p
  WHERE p.job IS NULL OR j.job_id = p.job
  ORDER BY j.last_at DESC, j.job_id DESC
  LIMIT 1
),
counts AS (
  SELECT r.level1, r.level2,
         SUM(CASE WHEN r.job_id = t.job_id THEN 1 ELSE 0 END) AS current_items,
         SUM(CASE WHEN r.job_id <> t.job_id THEN 1 ELSE 0 END) AS baseline_items
  FROM tenant_results r
  JOIN job_times j ON j.job_id = r.job_id
  CROSS JOIN target t
  WHERE j.last_at < t.last_at OR r.job_id = t.job_id
  GROUP BY r.level1, r.level2
),
totals AS (
  SELECT SUM(current_items) AS current_total, SUM(baseline_items) AS baseline_total FROM counts
),
shares AS (
  SELECT c.level1, c.level2, c.current_items, c.baseline_items,
         GREATEST(CAST(c.current_items AS DOUBLE) / t.current_total, 0.0001) AS p,
         CASE WHEN t.baseline_total > 0
              THEN GREATEST(CAST(c.baseline_items AS DOUBLE) / t.baseline_total, 0.0001) END AS q
  FROM counts c CROSS JOIN totals t
)
SELECT (SELECT job_id FROM target) AS job_id, s.level1, s.level2, s.current_items, s.baseline_items,
       ROUND(s.p, 4) AS current_share, ROUND(s.q, 4) AS baseline_share,
       ROUND((s.p - s.q) * LN(s.p / s.q), 6) AS psi_contribution,
       ROUND(SUM((s.p - s.q) * LN(s.p / s.q)) OVER (), 6) AS psi,
       SUM((s.p - s.q) * LN(s.p / s.q)) OVER () > 0.2 AS drifted
FROM shares s
ORDER BY psi_contribution DESC, s.level1, s.level2
