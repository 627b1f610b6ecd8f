-- How confident the decisions were: items per confidence bucket of width 0.1 (1.0 falls in the last bucket).
WITH params AS (SELECT CAST(? AS VARCHAR) AS job, CAST(? AS VARCHAR) AS tenant),
tenant_results AS (SELECT r.* FROM results r CROSS JOIN params p WHERE r.tenant = p.tenant)
SELECT CAST(LEAST(FLOOR(r.confidence * 10), 9) AS DOUBLE) / 10 AS bucket_from,
       CAST(LEAST(FLOOR(r.confidence * 10), 9) + 1 AS DOUBLE) / 10 AS bucket_to,
       COUNT(*) AS items,
       SUM(CASE WHEN r.status = 'needs_review' THEN 1 ELSE 0 END) AS needs_review
FROM tenant_results r CROSS JOIN params p
WHERE p.job IS NULL OR r.job_id = p.job
GROUP BY LEAST(FLOOR(r.confidence * 10), 9)
ORDER BY bucket_from
