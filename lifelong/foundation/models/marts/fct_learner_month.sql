/*
name: marts.fct_learner_month
kind: incremental_by_time_range
time_column: month
grain: learner x month x branch
owner: data-foundation
description: One row per learner active in a month (and branch), pre-aggregated from fct_learner_day so that the exact distinct count of active learners per month reads far fewer rows (contract C5).
columns:
  month: first day of its month
  learner_id: learner
  branch_code: the learner's branch on the active days (a learner seen under two branches in one month has two rows)
  active_days: days with learning activity in the month
  statements: learning statements in the month
  learning_seconds: seconds spent (sum of result.duration)
audits:
  - not_null: [month, learner_id, branch_code, active_days, statements, learning_seconds]
  - unique: [month, learner_id, branch_code]
  - referential: {column: branch_code, to: marts.dim_branch, to_column: branch_code}
*/
-- Every month holding a day touched by newly stored statements is recomputed whole from
-- fct_learner_day (a distinct count cannot be patched by adding a day): calendar months.
WITH touched AS (
  SELECT DISTINCT CAST(DATE_TRUNC('month', s.affected_day) AS DATE) AS month
  FROM clean.statements AS s
  WHERE s.stored >= @start AND s.stored < @end AND s.affected_day IS NOT NULL
)
SELECT
  CAST(DATE_TRUNC('month', f.day) AS DATE) AS month,
  f.learner_id,
  f.branch_code,
  CAST(COUNT(*) AS BIGINT) AS active_days,
  CAST(SUM(f.statements) AS BIGINT) AS statements,
  CAST(SUM(f.learning_seconds) AS BIGINT) AS learning_seconds
FROM marts.fct_learner_day AS f
WHERE CAST(DATE_TRUNC('month', f.day) AS DATE) IN (SELECT t.month FROM touched AS t)
GROUP BY CAST(DATE_TRUNC('month', f.day) AS DATE), f.learner_id, f.branch_code
