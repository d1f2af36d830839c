/*
name: marts.fct_resource_day
kind: incremental_by_time_range
time_column: day
grain: resource x branch x day
owner: data-foundation
description: How each resource was used each UTC day by each branch's learners (contract C5).
columns:
  day: UTC day
  resource_id: resource
  branch_code: the learners' branch
  views: launches, plays and views (launched, experienced, played, attended)
  learners: distinct learners
  learning_seconds: seconds spent
  completions: distinct learners who completed or passed it that day
audits:
  - not_null: [day, resource_id, branch_code, views, learners, learning_seconds, completions]
  - unique: [day, resource_id, branch_code]
*/
WITH touched AS (
  SELECT DISTINCT s.affected_day AS day
  FROM clean.statements AS s
  WHERE s.stored >= @start AND s.stored < @end AND s.affected_day IS NOT NULL
)
SELECT
  e.day,
  e.resource_id,
  e.branch_code,
  CAST(COUNT(CASE WHEN e.verb IN ('launched', 'experienced', 'played', 'attended') THEN 1 END) AS BIGINT)
    AS views,
  CAST(COUNT(DISTINCT e.learner_id) AS BIGINT) AS learners,
  CAST(SUM(e.duration_seconds) AS BIGINT) AS learning_seconds,
  CAST(COUNT(DISTINCT CASE WHEN e.verb IN ('completed', 'passed') THEN e.learner_id END) AS BIGINT)
    AS completions
FROM clean.activity_events AS e
WHERE e.day IN (SELECT t.day FROM touched AS t)
GROUP BY e.day, e.resource_id, e.branch_code
