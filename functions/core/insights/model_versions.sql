-- Each encoder model version side by side: items it saw, how many it decided, mean confidence, review rate.
WITH params AS (SELECT CAST(? AS VARCHAR) AS job, CAST(? AS VARCHAR) AS tenant),
tenant_results AS (SELECT r.* FROM results r CROSS JOIN params p WHERE r.tenant = p.tenant)
SELECT r.model_version, COUNT(*) AS items,
       SUM(CASE WHEN r.tier = 'encoder' THEN 1 ELSE 0 END) AS decided_by_encoder,
       ROUND(AVG(r.confidence), 4) AS mean_confidence,
       ROUND(CAST(SUM(CASE WHEN r.status = 'needs_review' THEN 1 ELSE 0 END) AS DOUBLE) / COUNT(*), 4) AS review_rate,
       MIN(r.decided_at) AS first_seen, MAX(r.decided_at) AS last_seen
FROM tenant_results r CROSS JOIN params p
WHERE r.model_version IS NOT NULL AND (p.job IS NULL OR r.job_id = p.job)
GROUP BY r.model_version
ORDER BY MIN(r.decided_at), r.model_version
