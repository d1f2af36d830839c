/*
name: marts.fct_enrolment
kind: full
grain: enrolment
owner: data-foundation
description: The enrolment funnel - each enrolment with when it was completed or withdrawn and the credits it earned (contract C5).
columns:
  registration: xAPI registration UUID
  learner_id: learner
  resource_id: resource
  branch_code: the learner's branch at enrolment
  enrolled_on: day enrolled
  completed_on: day completed, or null
  withdrawn_on: day withdrawn, or null
  status: active, completed, withdrawn
  credits_earned: the resource's credits when completed, else 0
  progress: 0..1
audits:
  - not_null: [registration, learner_id, resource_id, branch_code, enrolled_on, status, credits_earned]
  - unique: [registration]
  - accepted_values: {column: status, values: [active, completed, withdrawn]}
  - referential: {column: resource_id, to: marts.dim_resource, to_column: resource_id}
  - referential: {column: branch_code, to: marts.dim_branch, to_column: branch_code}
*/
SELECT
  e.registration,
  e.learner_id,
  e.resource_id,
  e.branch_code,
  e.enrolled_on,
  e.completed_on,
  e.withdrawn_on,
  e.status,
  CAST(CASE WHEN e.status = 'completed' THEN COALESCE(r.credits, 0) ELSE 0 END AS DOUBLE)
    AS credits_earned,
  e.progress
FROM clean.enrolments AS e
LEFT JOIN clean.resources AS r ON r.resource_id = e.resource_id
