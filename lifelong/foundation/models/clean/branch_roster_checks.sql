/*
name: clean.branch_roster_checks
kind: full
grain: submitted roster row
owner: data-foundation
description: >
  Every submitted roster row standardised (codes upper case, statuses lower case, dates
  typed) with the first rule it breaks, if any. Good rows feed clean.branch_rosters; bad
  rows are quarantined in clean.branch_submission_rejects, never dropped silently.
columns:
  branch_code: branch code (upper case)
  student_no: the branch's own student number
  learner_id: linked Lifelong account (null when not linked)
  programme_code: programme code (upper case)
  term: term, e.g. 2025-autumn
  enrolled_on: typed day
  status: enrolled, suspended, graduated, withdrawn
  submitted_at: typed submission time (UTC)
  batch_id: submission batch
  reject_reason: first rule broken, null for a good row
audits:
  - not_null: [branch_code]
*/
WITH typed AS (
  SELECT
    UPPER(TRIM(r.branch_code)) AS branch_code,
    TRIM(r.student_no) AS student_no,
    TRIM(r.user_id) AS user_text,
    UPPER(TRIM(r.programme_code)) AS programme_code,
    LOWER(TRIM(r.term)) AS term,
    TRY_CAST(TRIM(r.enrolled_on) AS DATE) AS enrolled_on,
    LOWER(TRIM(r.status)) AS status,
    CAST(TRY_CAST(TRIM(r.submitted_at) AS TIMESTAMPTZ) AS TIMESTAMP) AS submitted_at,
    r.batch_id
  FROM raw.branch_rosters AS r
)
SELECT
  COALESCE(t.branch_code, '') AS branch_code,
  t.student_no,
  TRY_CAST(NULLIF(t.user_text, '') AS BIGINT) AS learner_id,
  t.programme_code,
  t.term,
  t.enrolled_on,
  t.status,
  t.submitted_at,
  t.batch_id,
  CASE
    WHEN t.branch_code IS NULL OR t.branch_code NOT IN (SELECT b.branch_code FROM clean.branches AS b)
      THEN 'unknown branch_code'
    WHEN t.student_no IS NULL OR t.student_no = '' THEN 'missing student_no'
    WHEN t.user_text IS NOT NULL AND t.user_text <> '' AND NOT REGEXP_MATCHES(t.user_text, '^[0-9]+$')
      THEN 'user_id is not a number'
    WHEN t.programme_code IS NULL OR t.programme_code = '' THEN 'missing programme_code'
    WHEN t.term IS NULL OR NOT REGEXP_MATCHES(t.term, '^[0-9]{4}-(spring|summer|autumn|winter)$')
      THEN 'term is not YYYY-spring|summer|autumn|winter'
    WHEN t.enrolled_on IS NULL THEN 'enrolled_on is not a YYYY-MM-DD date'
    WHEN t.status IS NULL OR t.status NOT IN ('enrolled', 'suspended', 'graduated', 'withdrawn')
      THEN 'status is not enrolled|suspended|graduated|withdrawn'
    WHEN t.submitted_at IS NULL THEN 'submitted_at is not an RFC 3339 time'
  END AS reject_reason
FROM typed AS t
