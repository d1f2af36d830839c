/*
name: marts.fct_learner_week
kind: incremental_by_time_range
time_column: week
grain: learner x week x branch
owner: data-foundation
description: One row per learner active in a week (and branch), pre-aggregated from fct_learner_day so that the exact distinct count of active learners per week reads far fewer rows (contract C5).
columns:
  week: Monday of its ISO week
  learner_id: learner
  branch_code: the learner's branch on the active days (a learner seen under two branches in one week has two rows)
  active_days: days with learning activity in the week
  statements: learning statements in the week
  learning_seconds: seconds spent (sum of result.duration)
audits:
  - not_null: [week, learner_id, branch_code, active_days, statements, learning_seconds]
  - unique: [week, learner_id, branch_code]
  - referential: {column: branch_code, to: marts.dim_branch, to_column: branch_code}
*/
-- Every week holding a day touched by newly stored statements is recomputed whole from
-- fct_learner_day (a distinct count cannot be patched by adding a day): ISO 8601 weeks start on Monday.
WITH touched AS (
  SELECT DISTINCT CAST(DATE_TRUNC('week', s.affected_day) AS DATE) AS week
  FROM clean.statements AS s
  WHERE s.stored >= @start AND s.stored < @end AND s.affected_day IS NOT NULL
)
SELECT
  CAST(DATE_TRUNC('week', f.day) AS DATE) AS week,
  f.learner_id,
  f.branch_code,
  CAST(COUNT(*) AS BIGINT) AS active_days,
  CAST(SUM(f.statements) AS BIGINT) AS statements,
  CAST(SUM(f.learning_seconds) AS BIGINT) AS learning_seconds
FROM marts.fct_learner_day AS f
WHERE CAST(DATE_TRUNC('week', f.day) AS DATE) IN (SELECT t.week FROM touched AS t)
GROUP BY CAST(DATE_TRUNC('week', f.day) AS DATE), f.learner_id, f.branch_code
