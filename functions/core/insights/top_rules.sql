-- The 50 rules that decided the most items, with the category they decided.
WITH params AS (SELECT CAST(? AS VARCHAR) AS job, CAST(? AS VARCHAR) AS tenant),
tenant_results AS (SELECT r.* FROM results r CROSS JOIN params p WHERE r.tenant = p.tenant)
SELECT r.rule_id, r.level1, r.level2, COUNT(*) AS hits,
       ROUND(CAST(COUNT(*) AS DOUBLE) / SUM(COUNT(*)) OVER (), 4) AS share_of_rule_hits
FROM tenant_results r CROSS JOIN params p
WHERE r.tier = 'rules' AND r.rule_id IS NOT NULL AND (p.job IS NULL OR r.job_id = p.job)
GROUP BY r.rule_id, r.level1, r.level2
ORDER BY hits DESC, r.rule_id
LIMIT 50
