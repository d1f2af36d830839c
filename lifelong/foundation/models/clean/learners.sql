/*
name: clean.learners
kind: full
grain: learner
owner: data-foundation
description: >
  Learner accounts with their branch and registration demographics; ages are kept only
  as bands. Erased accounts keep their id (their statements stay pseudonymous) but lose
  their demographics.
columns:
  learner_id: user id (the name of the account IFI in statements)
  branch_code: the learner's current branch
  registered_on: UTC day of registration
  birth_year: year of birth (null when erased or not given)
  age_band: age in bands at the run date (under 18, 18-24, ..., 65+, unknown)
  gender: as given
  occupation: as given
  education: as given
  province: as given
  is_active: account active
  erased: account erased (right to erasure)
audits:
  - not_null: [learner_id, branch_code, registered_on, age_band]
  - unique: [learner_id]
  - accepted_values: {column: age_band, values: [under 18, 18-24, 25-34, 35-44, 45-54, 55-64, 65+, unknown]}
  - referential: {column: branch_code, to: clean.branches, to_column: branch_code}
*/
WITH profiles AS (
  SELECT
    u.id AS learner_id,
    b.branch_code,
    CAST(CAST(COALESCE(p.registered_at, u.created_at) AS TIMESTAMP) AS DATE) AS registered_on,
    CASE WHEN u.erased_at IS NULL THEN p.birth_year END AS birth_year,
    CASE WHEN u.erased_at IS NULL THEN p.gender END AS gender,
    CASE WHEN u.erased_at IS NULL THEN p.occupation END AS occupation,
    CASE WHEN u.erased_at IS NULL THEN p.education END AS education,
    CASE WHEN u.erased_at IS NULL THEN p.province END AS province,
    u.is_active,
    u.erased_at IS NOT NULL AS erased
  FROM raw.platform_users AS u
  JOIN clean.branches AS b ON b.branch_id = u.branch_id
  LEFT JOIN raw.platform_learner_profiles AS p ON p.user_id = u.id
  WHERE u.role = 'learner'
)
SELECT
  p.learner_id,
  p.branch_code,
  p.registered_on,
  p.birth_year,
  CASE
    WHEN p.birth_year IS NULL THEN 'unknown'
    WHEN EXTRACT(YEAR FROM CURRENT_DATE) - p.birth_year < 18 THEN 'under 18'
    WHEN EXTRACT(YEAR FROM CURRENT_DATE) - p.birth_year < 25 THEN '18-24'
    WHEN EXTRACT(YEAR FROM CURRENT_DATE) - p.birth_year < 35 THEN '25-34'
    WHEN EXTRACT(YEAR FROM CURRENT_DATE) - p.birth_year < 45 THEN '35-44'
    WHEN EXTRACT(YEAR FROM CURRENT_DATE) - p.birth_year < 55 THEN '45-54'
    WHEN EXTRACT(YEAR FROM CURRENT_DATE) - p.birth_year < 65 THEN '55-64'
    ELSE '65+'
  END AS age_band,
  p.gender,
  p.occupation,
  p.education,
  p.province,
  p.is_active,
  p.erased
FROM profiles AS p
