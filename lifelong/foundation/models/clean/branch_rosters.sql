/*
name: clean.branch_rosters
kind: full
grain: branch x student_no x programme x term (latest submission wins)
owner: data-foundation
description: Branch rosters that passed every rule, one row per student, programme and term (the latest submission).
columns:
  branch_code: branch code
  student_no: the branch's student number
  learner_id: linked Lifelong account (null when not linked)
  programme_code: programme
  term: term
  enrolled_on: day
  status: enrolled, suspended, graduated, withdrawn
  submitted_at: submission time (UTC)
  batch_id: submission batch
audits:
  - not_null: [branch_code, student_no, programme_code, term, enrolled_on, status]
  - unique: [branch_code, student_no, programme_code, term]
  - accepted_values: {column: status, values: [enrolled, suspended, graduated, withdrawn]}
*/
WITH ranked AS (
  SELECT
    c.*,
    ROW_NUMBER() OVER (
      PARTITION BY c.branch_code, c.student_no, c.programme_code, c.term
      ORDER BY c.submitted_at DESC, c.batch_id DESC
    ) AS position
  FROM clean.branch_roster_checks AS c
  WHERE c.reject_reason IS NULL
)
SELECT
  r.branch_code,
  r.student_no,
  r.learner_id,
  r.programme_code,
  r.term,
  r.enrolled_on,
  r.status,
  r.submitted_at,
  r.batch_id
FROM ranked AS r
WHERE r.position = 1
