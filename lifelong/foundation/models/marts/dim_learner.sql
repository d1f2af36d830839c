/*
name: marts.dim_learner
kind: full
grain: learner
owner: data-foundation
description: Learners with their branch, registration day and demographics in bands; no names, no birth dates (contract C5).
columns:
  learner_id: learner id
  branch_code: current branch
  registered_on: day of registration
  age_band: under 18, 18-24, 25-34, 35-44, 45-54, 55-64, 65+, unknown
  gender: as given
  occupation: as given
  education: as given
  province: as given
audits:
  - not_null: [learner_id, branch_code, registered_on, age_band]
  - unique: [learner_id]
  - referential: {column: branch_code, to: marts.dim_branch, to_column: branch_code}
*/
SELECT
  l.learner_id, l.branch_code, l.registered_on, l.age_band,
  l.gender, l.occupation, l.education, l.province
FROM clean.learners AS l
