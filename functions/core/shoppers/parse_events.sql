-- Each shopper-log row parsed: the user, the time in epoch milliseconds (UTC; a time without a zone is UTC; bare
-- digits are epoch seconds, or milliseconds from 12 digits on), the event by its canonical name (event_aliases),
-- the search term and product (product_key: its id, else its lowercased name); reject_reason names the first thing wrong with a row, NULL for a good one.
-- Reads `shopper_log` (row_no and the *_raw text columns, NULL where the file lacks one) and `event_aliases`.
-- The one text for DuckDB and Athena: the {{…}} placeholders are spelled per engine (functions/shoppers/dialect.ts).
WITH cleaned AS (
  SELECT row_no,
         NULLIF(TRIM(user_raw), '') AS user_id,
         TRIM(ts_raw) AS ts_text,
         REPLACE(REPLACE(LOWER(TRIM(event_raw)), '-', '_'), ' ', '_') AS event_key,
         NULLIF(TRIM(search_term_raw), '') AS search_term,
         NULLIF(TRIM(product_id_raw), '') AS product_id,
         NULLIF(TRIM(product_name_raw), '') AS product_name,
         TRY_CAST(price_raw AS DOUBLE) AS price,
         TRY_CAST(quantity_raw AS DOUBLE) AS quantity,
         event_raw, ts_raw
  FROM shopper_log
),
timed AS (
  SELECT c.*, a.event,
         CASE WHEN {{full_match(c.ts_text, '[0-9]{1,11}')}} THEN CAST(c.ts_text AS BIGINT) * 1000
              WHEN {{full_match(c.ts_text, '[0-9]{12,14}')}} THEN CAST(c.ts_text AS BIGINT)
              ELSE {{iso_epoch_ms(c.ts_text)}} END AS ts_ms
  FROM cleaned c LEFT JOIN event_aliases a ON a.alias = c.event_key
),
checked AS (
  SELECT t.*,
         CASE WHEN user_id IS NULL THEN 'missing user_id'
              WHEN ts_ms IS NULL THEN 'unparseable timestamp'
              WHEN event IS NULL THEN 'unknown event'
              WHEN event = 'search' AND search_term IS NULL THEN 'search without search_term'
              WHEN event <> 'search' AND product_id IS NULL AND product_name IS NULL THEN 'no product_id or product_name'
         END AS reject_reason
  FROM timed t
)
-- The raw time and event are kept for rejected rows only (the rejects file shows them): good rows carry no copy.
SELECT row_no, user_id, ts_ms, event, search_term, product_id, product_name, price, quantity, reject_reason,
       -- A product event's item: its id, else its lowercased name.
       CASE WHEN event <> 'search' THEN COALESCE(product_id, LOWER(product_name)) END AS product_key,
       CASE WHEN reject_reason IS NOT NULL THEN event_raw END AS event_raw,
       CASE WHEN reject_reason IS NOT NULL THEN ts_raw END AS ts_raw
FROM checked
