-- Items per Level 1 / Level 2 category, per job, with each category's share of its job.
WITH params AS (SELECT CAST(? AS VARCHAR) AS job, CAST(? AS VARCHAR) AS tenant),
tenant_results AS (SELECT r.* FROM results r CROSS JOIN params p WHERE r.tenant = p.tenant)
SELECT r.job_id, MIN(r.dt) AS dt, r.level1, r.level2, COUNT(*) AS items,
       ROUND(CAST(COUNT(*) AS DOUBLE) / SUM(COUNT(*)) OVER (PARTITION BY r.job_id), 4) AS share
FROM tenant_results r CROSS JOIN params p
WHERE p.job IS NULL OR r.job_id = p.job
GROUP BY r.job_id, r.level1, r.level2
ORDER BY r.job_id, items DESC, r.level1, r.level2
