/*
name: marts.fct_learner_day
kind: incremental_by_time_range
time_column: day
grain: learner x day
owner: data-foundation
description: What each learner did each UTC day - statements, seconds spent learning, distinct resources (contract C5).
columns:
  day: UTC day
  learner_id: learner
  branch_code: the learner's branch (from the statements of that day)
  statements: learning statements that day
  learning_seconds: seconds spent (sum of result.duration)
  resources: distinct resources touched
audits:
  - not_null: [day, learner_id, branch_code, statements, learning_seconds, resources]
  - unique: [day, learner_id]
  - referential: {column: branch_code, to: marts.dim_branch, to_column: branch_code}
*/
WITH touched AS (
  SELECT DISTINCT s.affected_day AS day
  FROM clean.statements AS s
  WHERE s.stored >= @start AND s.stored < @end AND s.affected_day IS NOT NULL
)
SELECT
  e.day,
  e.learner_id,
  MIN(e.branch_code) AS branch_code,
  CAST(COUNT(*) AS BIGINT) AS statements,
  CAST(SUM(e.duration_seconds) AS BIGINT) AS learning_seconds,
  CAST(COUNT(DISTINCT e.resource_id) AS BIGINT) AS resources
FROM clean.activity_events AS e
WHERE e.day IN (SELECT t.day FROM touched AS t)
GROUP BY e.day, e.learner_id
