/*
name: clean.activity_events
kind: incremental_by_time_range
time_column: day
grain: statement about a learner and a resource
owner: data-foundation
description: >
  Learning events: statements by a learner about a resource, voided ones removed
  (xAPI 1.0.3 section 2.5). Recomputed per day for every day touched by newly stored
  statements, so late-arriving statements with an old timestamp land in their own day.
columns:
  day: UTC day the learner acted
  statement_id: the statement's id
  stored: when the LRS stored it
  occurred_at: the statement's timestamp
  learner_id: the learner (user id)
  resource_id: the resource
  branch_code: the learner's branch
  registration: enrolment registration
  verb: completed, played, progressed ...
  duration_seconds: seconds spent (0 when not reported)
  score_scaled: scaled score
  success: result.success
  completion: result.completion
audits:
  - not_null: [day, statement_id, learner_id, resource_id, branch_code, verb]
  - unique: [statement_id]
  - referential: {column: branch_code, to: clean.branches, to_column: branch_code}
*/
WITH touched AS (
  SELECT DISTINCT s.affected_day AS day
  FROM clean.statements AS s
  WHERE s.stored >= @start AND s.stored < @end AND s.affected_day IS NOT NULL
), voided AS (
  SELECT DISTINCT s.voided_statement_id AS statement_id
  FROM clean.statements AS s
  WHERE s.voided_statement_id IS NOT NULL
)
SELECT
  s.day,
  s.statement_id,
  s.stored,
  s.occurred_at,
  s.learner_id,
  s.resource_id,
  s.branch_code,
  s.registration,
  s.verb,
  COALESCE(s.duration_seconds, 0) AS duration_seconds,
  s.score_scaled,
  s.success,
  s.completion
FROM clean.statements AS s
WHERE s.day IN (SELECT t.day FROM touched AS t)
  AND s.voided_statement_id IS NULL
  AND s.learner_id IS NOT NULL
  AND s.resource_id IS NOT NULL
  AND s.branch_code IS NOT NULL
  AND s.statement_id NOT IN (SELECT v.statement_id FROM voided AS v)
