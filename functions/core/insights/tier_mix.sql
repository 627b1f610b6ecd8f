-- Which tier decided how many items, and what they cost (cost units, see `aisle cost`).
WITH params AS (SELECT CAST(? AS VARCHAR) AS job, CAST(? AS VARCHAR) AS tenant),
tenant_results AS (SELECT r.* FROM results r CROSS JOIN params p WHERE r.tenant = p.tenant)
SELECT r.tier, COUNT(*) AS items,
       ROUND(CAST(COUNT(*) AS DOUBLE) / SUM(COUNT(*)) OVER (), 4) AS share,
       ROUND(SUM(r.cost_units), 4) AS cost_units,
       ROUND(AVG(r.cost_units), 6) AS cost_units_per_item
FROM tenant_results r CROSS JOIN params p
WHERE p.job IS NULL OR r.job_id = p.job
GROUP BY r.tier
ORDER BY items DESC, r.tier
