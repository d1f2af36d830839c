/*
name: clean.branch_submission_rejects
kind: full
grain: rejected submitted row
owner: data-foundation
description: The quarantine - every roster or grade row a branch sent that broke a rule, with the rule, so the branch can correct and resend it.
columns:
  source: branch_rosters or branch_grades
  branch_code: branch code as standardised (empty when missing)
  student_no: student number as submitted
  item_code: programme code (rosters) or course code (grades)
  term: term as submitted
  batch_id: submission batch
  reject_reason: the first rule the row breaks
audits:
  - not_null: [source, reject_reason]
*/
SELECT
  'branch_rosters' AS source,
  r.branch_code,
  r.student_no,
  r.programme_code AS item_code,
  r.term,
  r.batch_id,
  r.reject_reason
FROM clean.branch_roster_checks AS r
WHERE r.reject_reason IS NOT NULL
UNION ALL
SELECT
  'branch_grades' AS source,
  g.branch_code,
  g.student_no,
  g.course_code AS item_code,
  g.term,
  g.batch_id,
  g.reject_reason
FROM clean.branch_grade_checks AS g
WHERE g.reject_reason IS NOT NULL
