-- Items per Level 1 / Level 2 category per day (the lake's dt partition): a time series of the catalog mix.
WITH params AS (SELECT CAST(? AS VARCHAR) AS job, CAST(? AS VARCHAR) AS tenant),
tenant_results AS (SELECT r.* FROM results r CROSS JOIN params p WHERE r.tenant = p.tenant)
SELECT r.dt, r.level1, r.level2, COUNT(*) AS items,
       ROUND(CAST(COUNT(*) AS DOUBLE) / SUM(COUNT(*)) OVER (PARTITION BY r.dt), 4) AS share
FROM tenant_results r CROSS JOIN params p
WHERE p.job IS NULL OR r.job_id = p.job
GROUP BY r.dt, r.level1, r.level2
ORDER BY r.dt, items DESC, r.level1, r.level2
