-- Category mix by month of the input's date column (order_date, purchase_date, date), when it carries one.
WITH params AS (SELECT CAST(? AS VARCHAR) AS job, CAST(? AS VARCHAR) AS tenant),
tenant_results AS (SELECT r.* FROM results r CROSS JOIN params p WHERE r.tenant = p.tenant)
SELECT SUBSTR(r.event_date, 1, 7) AS month, r.level1, r.level2, COUNT(*) AS items,
       ROUND(CAST(COUNT(*) AS DOUBLE) / SUM(COUNT(*)) OVER (PARTITION BY SUBSTR(r.event_date, 1, 7)), 4) AS share
FROM tenant_results r CROSS JOIN params p
WHERE r.event_date IS NOT NULL AND (p.job IS NULL OR r.job_id = p.job)
GROUP BY SUBSTR(r.event_date, 1, 7), r.level1, r.level2
ORDER BY month, items DESC, r.level1, r.level2
