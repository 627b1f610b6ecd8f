-- Time spent browsing each category, by gender. A session's time (first to last event) is shared among the
-- categories viewed in it in proportion to their product views: 10 minutes with 3 views of Beverages and 1 of
-- Snacks give Beverages 7.5 and Snacks 2.5. Sessions without a product view attribute nothing.
WITH params AS (SELECT CAST(? AS DOUBLE) AS min_support, CAST(? AS BIGINT) AS top_n)
SELECT a.category, a.gender, COUNT(*) AS sessions, ROUND(SUM(a.browsing_s) / 60, 1) AS browsing_min,
       ROUND(AVG(a.browsing_s) / 60, 2) AS avg_min_per_session
FROM session_categories a
GROUP BY a.category, a.gender
ORDER BY a.category, a.gender
