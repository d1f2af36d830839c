/*
name: clean.statements
kind: incremental_by_time_range
time_column: stored
grain: statement
owner: data-foundation
description: >
  Every stored xAPI statement typed: learner and resource ids from the account IFI and
  activity IRI, seconds from the ISO 8601 result.duration (xAPI 1.0.3 section 4.6), score,
  success, completion; voiding statements (xAPI 1.0.3 section 2.5) name their target and the
  day they change. One row per statement id.
columns:
  statement_id: the statement's id (UUID)
  seq: order in which the LRS stored it
  stored: when the LRS stored it (UTC)
  occurred_at: the statement's timestamp (UTC)
  day: UTC day of occurred_at
  verb_id: verb IRI
  verb: last segment of the verb IRI (completed, played, ...)
  learner_id: numeric user id from the account IFI (null for other actors)
  resource_id: numeric resource id from the activity IRI (null for other objects)
  registration: enrolment registration UUID
  branch_code: the learner's branch from the branch context extension
  client: LRS client that sent it
  duration_seconds: whole seconds of result.duration
  score_scaled: result.score.scaled (-1..1)
  success: result.success
  completion: result.completion
  voided_statement_id: for a voiding statement, the statement it voids
  affected_day: the day whose facts this statement changes (for a voiding statement, its target's day)
audits:
  - not_null: [statement_id, stored, occurred_at, verb_id]
  - unique: [statement_id]
  - freshness: {column: stored, max_age_hours: 24, severity: warn}
*/
WITH window_statements AS (
  SELECT
    s.statement_id,
    s.seq,
    CAST(s.stored AS TIMESTAMP) AS stored,
    CAST(s."timestamp" AS TIMESTAMP) AS occurred_at,
    s.verb_id,
    s.actor_ifi,
    s.activity_id,
    s.registration,
    s.branch_code,
    s.client,
    s.statement,
    JSON_EXTRACT_STRING(s.statement, '$.result.duration') AS duration,
    CASE
      WHEN s.verb_id = 'http://adlnet.gov/expapi/verbs/voided'
      THEN JSON_EXTRACT_STRING(s.statement, '$.object.id')
    END AS voided_statement_id,
    ROW_NUMBER() OVER (PARTITION BY s.statement_id ORDER BY s.seq) AS copy
  FROM raw.xapi_statements AS s
  WHERE s.stored >= @start AND s.stored < @end
), durations AS (
  SELECT
    w.*,
    COALESCE(TRY_CAST(NULLIF(REGEXP_EXTRACT(w.duration, '([0-9.]+)W', 1), '') AS DOUBLE), 0) * 604800
    + COALESCE(TRY_CAST(NULLIF(REGEXP_EXTRACT(w.duration, '([0-9.]+)D', 1), '') AS DOUBLE), 0) * 86400
    + COALESCE(TRY_CAST(NULLIF(REGEXP_EXTRACT(w.duration, '([0-9.]+)H', 1), '') AS DOUBLE), 0) * 3600
    + COALESCE(TRY_CAST(NULLIF(REGEXP_EXTRACT(w.duration, 'T(?:[0-9.]+H)?([0-9.]+)M', 1), '') AS DOUBLE), 0) * 60
    + COALESCE(TRY_CAST(NULLIF(REGEXP_EXTRACT(w.duration, '([0-9.]+)S', 1), '') AS DOUBLE), 0)
      AS duration_total
  FROM window_statements AS w
  WHERE w.copy = 1
), targets AS (
  SELECT t.statement_id, CAST(CAST(t."timestamp" AS TIMESTAMP) AS DATE) AS day
  FROM raw.xapi_statements AS t
  WHERE t.statement_id IN (
    SELECT d.voided_statement_id FROM durations AS d WHERE d.voided_statement_id IS NOT NULL
  )
)
SELECT
  d.statement_id,
  d.seq,
  d.stored,
  d.occurred_at,
  CAST(d.occurred_at AS DATE) AS day,
  d.verb_id,
  REGEXP_EXTRACT(d.verb_id, '([^/#]+)$', 1) AS verb,
  TRY_CAST(NULLIF(REGEXP_EXTRACT(d.actor_ifi, '^account::.*::([0-9]+)$', 1), '') AS BIGINT)
    AS learner_id,
  TRY_CAST(NULLIF(REGEXP_EXTRACT(d.activity_id, '/resources/([0-9]+)$', 1), '') AS BIGINT)
    AS resource_id,
  d.registration,
  d.branch_code,
  d.client,
  CAST(CASE WHEN d.duration IS NULL THEN NULL ELSE ROUND(d.duration_total) END AS BIGINT)
    AS duration_seconds,
  TRY_CAST(JSON_EXTRACT_STRING(d.statement, '$.result.score.scaled') AS DOUBLE) AS score_scaled,
  CASE JSON_EXTRACT_STRING(d.statement, '$.result.success')
    WHEN 'true' THEN TRUE WHEN 'false' THEN FALSE
  END AS success,
  CASE JSON_EXTRACT_STRING(d.statement, '$.result.completion')
    WHEN 'true' THEN TRUE WHEN 'false' THEN FALSE
  END AS completion,
  d.voided_statement_id,
  CASE
    WHEN d.voided_statement_id IS NULL THEN CAST(d.occurred_at AS DATE)
    ELSE (SELECT MIN(t.day) FROM targets AS t WHERE t.statement_id = d.voided_statement_id)
  END AS affected_day
FROM durations AS d
