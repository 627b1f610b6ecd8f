-- One row per user of the demographics file (the first when a user appears twice): age and income put in bands
-- (a value that is not a number is taken as a band already, e.g. "25-34"), gender as female / male / the text
-- given, 'unknown' for what is missing. Reads `demographics_raw` (row_no and the *_raw text columns).
WITH typed AS (
  SELECT row_no, TRIM(user_raw) AS user_id, NULLIF(TRIM(age_raw), '') AS age_text, TRY_CAST(TRIM(age_raw) AS DOUBLE) AS age,
         NULLIF(LOWER(TRIM(gender_raw)), '') AS gender_text, NULLIF(TRIM(income_raw), '') AS income_text,
         TRY_CAST(REPLACE(REPLACE(TRIM(income_raw), '$', ''), ',', '') AS DOUBLE) AS income, NULLIF(TRIM(region_raw), '') AS region
  FROM demographics_raw
  WHERE NULLIF(TRIM(user_raw), '') IS NOT NULL
),
banded AS (
  SELECT user_id, row_no,
         CASE WHEN age IS NULL THEN COALESCE(age_text, 'unknown')
              WHEN age < 18 THEN 'under 18' WHEN age < 25 THEN '18-24' WHEN age < 35 THEN '25-34' WHEN age < 45 THEN '35-44'
              WHEN age < 55 THEN '45-54' WHEN age < 65 THEN '55-64' ELSE '65+' END AS age_band,
         CASE WHEN gender_text IN ('f', 'female', 'woman', 'w') THEN 'female' WHEN gender_text IN ('m', 'male', 'man') THEN 'male'
              ELSE COALESCE(gender_text, 'unknown') END AS gender,
         CASE WHEN income IS NULL THEN COALESCE(income_text, 'unknown')
              WHEN income < 25000 THEN 'under 25k' WHEN income < 50000 THEN '25k-50k' WHEN income < 75000 THEN '50k-75k'
              WHEN income < 100000 THEN '75k-100k' WHEN income < 150000 THEN '100k-150k' ELSE '150k+' END AS income_band,
         COALESCE(region, 'unknown') AS region
  FROM typed
)
SELECT user_id, age_band, gender, income_band, region
FROM (SELECT b.*, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY row_no) AS nth FROM banded b) first_rows
WHERE nth = 1
