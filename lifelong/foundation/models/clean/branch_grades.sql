/*
name: clean.branch_grades
kind: full
grain: branch x student_no x course x term (latest submission wins)
owner: data-foundation
description: Branch grades that passed every rule, one row per student, course and term (the latest submission).
columns:
  branch_code: branch code
  student_no: the branch's student number
  course_code: course
  course_name: course name
  term: term
  score: 0-100 or null
  grade: A-F or P
  credits: credits
  recorded_on: day
  submitted_at: submission time (UTC)
  batch_id: submission batch
audits:
  - not_null: [branch_code, student_no, course_code, term, grade, credits]
  - unique: [branch_code, student_no, course_code, term]
  - accepted_values: {column: grade, values: [A, B, C, D, E, F, P]}
*/
WITH ranked AS (
  SELECT
    c.*,
    ROW_NUMBER() OVER (
      PARTITION BY c.branch_code, c.student_no, c.course_code, c.term
      ORDER BY c.submitted_at DESC, c.batch_id DESC
    ) AS position
  FROM clean.branch_grade_checks AS c
  WHERE c.reject_reason IS NULL
)
SELECT
  r.branch_code,
  r.student_no,
  r.course_code,
  r.course_name,
  r.term,
  r.score,
  r.grade,
  r.credits,
  r.recorded_on,
  r.submitted_at,
  r.batch_id
FROM ranked AS r
WHERE r.position = 1
