/*
name: marts.dim_date
kind: full
grain: day
owner: data-foundation
description: Every UTC day from the first to the last day any fact mentions, with its Monday week, month, quarter and year (contract C5).
columns:
  day: the day
  week: Monday of its ISO week
  month: first day of its month
  quarter: first day of its quarter
  year: year
audits:
  - not_null: [day, week, month, quarter, year]
  - unique: [day]
  - row_count: {min: 1, severity: warn}
*/
WITH days AS (
  SELECT e.day FROM clean.activity_events AS e
  UNION ALL SELECT l.registered_on FROM clean.learners AS l
  UNION ALL SELECT n.enrolled_on FROM clean.enrolments AS n
  UNION ALL SELECT n.completed_on FROM clean.enrolments AS n
  UNION ALL SELECT c.issued_on FROM clean.certificates AS c
), bounds AS (
  SELECT
    CAST(COALESCE(MIN(d.day), CURRENT_DATE) AS TIMESTAMP) AS first_day,
    CAST(COALESCE(MAX(d.day), CURRENT_DATE) AS TIMESTAMP) AS last_day
  FROM days AS d
), series AS (
  SELECT UNNEST(GENERATE_SERIES(b.first_day, b.last_day, INTERVAL 1 DAY)) AS moment
  FROM bounds AS b
)
SELECT
  CAST(s.moment AS DATE) AS day,
  CAST(DATE_TRUNC('week', s.moment) AS DATE) AS week,
  CAST(DATE_TRUNC('month', s.moment) AS DATE) AS month,
  CAST(DATE_TRUNC('quarter', s.moment) AS DATE) AS quarter,
  CAST(EXTRACT(YEAR FROM s.moment) AS INT) AS year
FROM series AS s
