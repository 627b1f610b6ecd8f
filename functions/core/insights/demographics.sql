-- Category mix by shopper demographics (age band, income band, gender), when the input carries them.
-- share = the category's share of its demographic group.
WITH params AS (SELECT CAST(? AS VARCHAR) AS job, CAST(? AS VARCHAR) AS tenant),
tenant_results AS (SELECT r.* FROM results r CROSS JOIN params p WHERE r.tenant = p.tenant)
SELECT r.age_band, r.income_band, r.gender, r.level1, r.level2, COUNT(*) AS items,
       ROUND(CAST(COUNT(*) AS DOUBLE) / SUM(COUNT(*)) OVER (PARTITION BY r.age_band, r.income_band, r.gender), 4) AS share
FROM tenant_results r CROSS JOIN params p
WHERE (r.age_band IS NOT NULL OR r.income_band IS NOT NULL OR r.gender IS NOT NULL)
  AND (p.job IS NULL OR r.job_id = p.job)
GROUP BY r.age_band, r.income_band, r.gender, r.level1, r.level2
ORDER BY r.age_band, r.income_band, r.gender, items DESC, r.level1, r.level2
