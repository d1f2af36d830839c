/*
name: clean.enrolments
kind: full
grain: enrolment
owner: data-foundation
description: Enrolments with UTC days for enrolment, completion and withdrawal; the branch is the learner's branch when they enrolled.
columns:
  enrolment_id: operational id
  registration: xAPI registration UUID tying the enrolment's statements together
  learner_id: the learner
  resource_id: the resource
  branch_code: branch at enrolment
  status: active, completed, withdrawn
  progress: 0..1
  seconds_spent: seconds recorded by the platform
  enrolled_on: UTC day
  completed_on: UTC day or null
  withdrawn_on: UTC day or null
audits:
  - not_null: [enrolment_id, registration, learner_id, resource_id, branch_code, status, enrolled_on]
  - unique: [registration]
  - accepted_values: {column: status, values: [active, completed, withdrawn]}
  - referential: {column: resource_id, to: clean.resources, to_column: resource_id}
*/
SELECT
  e.id AS enrolment_id,
  e.registration,
  e.user_id AS learner_id,
  e.resource_id,
  b.branch_code,
  e.status,
  e.progress,
  e.seconds_spent,
  CAST(CAST(e.enrolled_at AS TIMESTAMP) AS DATE) AS enrolled_on,
  CAST(CAST(e.completed_at AS TIMESTAMP) AS DATE) AS completed_on,
  CAST(CAST(e.withdrawn_at AS TIMESTAMP) AS DATE) AS withdrawn_on
FROM raw.platform_enrolments AS e
JOIN clean.branches AS b ON b.branch_id = e.branch_id
