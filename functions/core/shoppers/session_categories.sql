-- One row per session and category viewed in it: the product views, and the session's time (first to last event)
-- shared among the categories viewed in proportion to their views (10 minutes with 3 views of Beverages and 1 of
-- Snacks give Beverages 7.5 and Snacks 2.5), with the session's gender. Built once, so that the browsing-time
-- insight reads this instead of every event. Reads events, sessions.
WITH views AS (
  SELECT e.session_id, e.category, COUNT(*) AS views
  FROM events e
  WHERE e.event = 'view' AND e.category IS NOT NULL
  GROUP BY e.session_id, e.category
)
SELECT v.session_id, v.category, s.gender, v.views,
       s.duration_s * v.views / SUM(v.views) OVER (PARTITION BY v.session_id) AS browsing_s
FROM views v JOIN sessions s ON s.session_id = v.session_id
