/*
name: clean.branch_grade_checks
kind: full
grain: submitted grade row
owner: data-foundation
description: >
  Every submitted grade row standardised and typed (score 0-100, grade A-F or P, credits)
  with the first rule it breaks, if any; bad rows are quarantined, not dropped.
columns:
  branch_code: branch code (upper case)
  student_no: the branch's student number
  course_code: course code (upper case)
  course_name: course name as submitted
  term: term
  score: score 0-100 (null when blank)
  grade: A, B, C, D, E, F or P
  credits: credits (non-negative)
  recorded_on: day the grade was recorded
  submitted_at: submission time (UTC)
  batch_id: submission batch
  reject_reason: first rule broken, null for a good row
audits:
  - not_null: [branch_code]
*/
WITH typed AS (
  SELECT
    UPPER(TRIM(g.branch_code)) AS branch_code,
    TRIM(g.student_no) AS student_no,
    UPPER(TRIM(g.course_code)) AS course_code,
    TRIM(g.course_name) AS course_name,
    LOWER(TRIM(g.term)) AS term,
    TRIM(g.score) AS score_text,
    TRY_CAST(TRIM(g.score) AS DOUBLE) AS score,
    UPPER(TRIM(g.grade)) AS grade,
    TRY_CAST(TRIM(g.credits) AS DOUBLE) AS credits,
    TRY_CAST(TRIM(g.recorded_on) AS DATE) AS recorded_on,
    CAST(TRY_CAST(TRIM(g.submitted_at) AS TIMESTAMPTZ) AS TIMESTAMP) AS submitted_at,
    g.batch_id
  FROM raw.branch_grades AS g
)
SELECT
  COALESCE(t.branch_code, '') AS branch_code,
  t.student_no,
  t.course_code,
  t.course_name,
  t.term,
  t.score,
  t.grade,
  t.credits,
  t.recorded_on,
  t.submitted_at,
  t.batch_id,
  CASE
    WHEN t.branch_code IS NULL OR t.branch_code NOT IN (SELECT b.branch_code FROM clean.branches AS b)
      THEN 'unknown branch_code'
    WHEN t.student_no IS NULL OR t.student_no = '' THEN 'missing student_no'
    WHEN t.course_code IS NULL OR t.course_code = '' THEN 'missing course_code'
    WHEN t.score_text IS NOT NULL AND t.score_text <> ''
      AND (t.score IS NULL OR NOT REGEXP_MATCHES(t.score_text, '^[0-9]+(\.[0-9]+)?$'))
      THEN 'score is not a number'
    WHEN t.score < 0 OR t.score > 100 THEN 'score is outside 0-100'
    WHEN t.grade IS NULL OR t.grade NOT IN ('A', 'B', 'C', 'D', 'E', 'F', 'P')
      THEN 'grade is not A-F or P'
    WHEN t.credits IS NULL OR t.credits < 0 THEN 'credits is not a non-negative number'
    WHEN t.recorded_on IS NULL THEN 'recorded_on is not a YYYY-MM-DD date'
    WHEN t.submitted_at IS NULL THEN 'submitted_at is not an RFC 3339 time'
  END AS reject_reason
FROM typed AS t
