-- Events rolled up by calendar month, ISO week and hour of the day (UTC; the dialect spells the calendar): events,
-- purchases, and the sessions counted once per month (month_sessions) and once per week (week_sessions), so that
-- summing a column over a month or a week gives that period's distinct sessions. A few thousand rows that the
-- seasonality insights read instead of every event. The calendar is computed per session and hour, not per event.
-- Reads events.
WITH session_hours AS (
  -- The hour's start in epoch ms; the modulo taken twice keeps it the floor for a time before 1970 too.
  SELECT e.session_id, e.ts_ms - ((e.ts_ms % 3600000) + 3600000) % 3600000 AS hour_ms, COUNT(*) AS events,
         SUM(CASE WHEN e.event = 'purchase' THEN 1 ELSE 0 END) AS purchases
  FROM events e
  GROUP BY e.session_id, e.ts_ms - ((e.ts_ms % 3600000) + 3600000) % 3600000
),
calendar AS (SELECT h.session_id, h.events, h.purchases, {{event_calendar(h.hour_ms)}} FROM session_hours h),
numbered AS (
  SELECT c.*,
         ROW_NUMBER() OVER (PARTITION BY c.session_id, c.event_month ORDER BY c.event_week, c.event_hour) AS nth_in_month,
         ROW_NUMBER() OVER (PARTITION BY c.session_id, c.event_week ORDER BY c.event_month, c.event_hour) AS nth_in_week
  FROM calendar c
)
SELECT n.event_month, n.event_week, n.event_hour, CAST(SUM(n.events) AS BIGINT) AS events,
       CAST(SUM(n.purchases) AS BIGINT) AS purchases,
       CAST(SUM(CASE WHEN n.nth_in_month = 1 THEN 1 ELSE 0 END) AS BIGINT) AS month_sessions,
       CAST(SUM(CASE WHEN n.nth_in_week = 1 THEN 1 ELSE 0 END) AS BIGINT) AS week_sessions
FROM numbered n
GROUP BY n.event_month, n.event_week, n.event_hour
