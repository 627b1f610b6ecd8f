-- Share of items left for human review, per job.
WITH params AS (SELECT CAST(? AS VARCHAR) AS job, CAST(? AS VARCHAR) AS tenant),
tenant_results AS (SELECT r.* FROM results r CROSS JOIN params p WHERE r.tenant = p.tenant)
SELECT r.job_id, MIN(r.dt) AS dt, COUNT(*) AS items,
       SUM(CASE WHEN r.status = 'needs_review' THEN 1 ELSE 0 END) AS needs_review,
       ROUND(CAST(SUM(CASE WHEN r.status = 'needs_review' THEN 1 ELSE 0 END) AS DOUBLE) / COUNT(*), 4) AS review_rate
FROM tenant_results r CROSS JOIN params p
WHERE p.job IS NULL OR r.job_id = p.job
GROUP BY r.job_id
ORDER BY MIN(r.decided_at), r.job_id
