-- The 50 least confident items waiting for review: what a reviewer should look at first.
WITH params AS (SELECT CAST(? AS VARCHAR) AS job, CAST(? AS VARCHAR) AS tenant),
tenant_results AS (SELECT r.* FROM results r CROSS JOIN params p WHERE r.tenant = p.tenant)
SELECT r.job_id, r.row_no, r.item_key, r.product_name, r.level1, r.level2, ROUND(r.confidence, 4) AS confidence, r.tier
FROM tenant_results r CROSS JOIN params p
WHERE r.status = 'needs_review' AND (p.job IS NULL OR r.job_id = p.job)
ORDER BY r.confidence, r.job_id, r.row_no
LIMIT 50
