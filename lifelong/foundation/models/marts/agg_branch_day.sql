/*
name: marts.agg_branch_day
kind: full
grain: branch x day
owner: data-foundation
description: Each branch's day for the cockpit - active learners, registrations, enrolments, completions, learning time, views, certificates, credits (contract C5).
columns:
  day: UTC day
  branch_code: branch
  active_learners: learners with a learning statement that day
  new_registrations: learners who registered that day
  enrolments: enrolments made that day
  completions: enrolments completed that day
  learning_seconds: seconds spent learning
  resource_views: resource views (fct_resource_day.views)
  certificates_issued: certificates issued that day
  credits_earned: credits of enrolments completed that day
audits:
  - not_null: [day, branch_code, active_learners, new_registrations, enrolments, completions, learning_seconds, resource_views, certificates_issued, credits_earned]
  - unique: [day, branch_code]
  - referential: {column: branch_code, to: marts.dim_branch, to_column: branch_code}
*/
WITH activity AS (
  SELECT f.day, f.branch_code, COUNT(DISTINCT f.learner_id) AS active_learners,
         SUM(f.learning_seconds) AS learning_seconds
  FROM marts.fct_learner_day AS f
  GROUP BY f.day, f.branch_code
), views AS (
  SELECT r.day, r.branch_code, SUM(r.views) AS resource_views
  FROM marts.fct_resource_day AS r
  GROUP BY r.day, r.branch_code
), registrations AS (
  SELECT l.registered_on AS day, l.branch_code, COUNT(*) AS new_registrations
  FROM marts.dim_learner AS l
  GROUP BY l.registered_on, l.branch_code
), enrolled AS (
  SELECT e.enrolled_on AS day, e.branch_code, COUNT(*) AS enrolments
  FROM marts.fct_enrolment AS e
  GROUP BY e.enrolled_on, e.branch_code
), completed AS (
  SELECT e.completed_on AS day, e.branch_code, COUNT(*) AS completions,
         SUM(e.credits_earned) AS credits_earned
  FROM marts.fct_enrolment AS e
  WHERE e.completed_on IS NOT NULL
  GROUP BY e.completed_on, e.branch_code
), issued AS (
  SELECT c.issued_on AS day, c.branch_code, COUNT(*) AS certificates_issued
  FROM marts.fct_certificate AS c
  GROUP BY c.issued_on, c.branch_code
), keys AS (
  SELECT day, branch_code FROM activity
  UNION SELECT day, branch_code FROM views
  UNION SELECT day, branch_code FROM registrations
  UNION SELECT day, branch_code FROM enrolled
  UNION SELECT day, branch_code FROM completed
  UNION SELECT day, branch_code FROM issued
)
SELECT
  k.day,
  k.branch_code,
  CAST(COALESCE(a.active_learners, 0) AS BIGINT) AS active_learners,
  CAST(COALESCE(g.new_registrations, 0) AS BIGINT) AS new_registrations,
  CAST(COALESCE(n.enrolments, 0) AS BIGINT) AS enrolments,
  CAST(COALESCE(c.completions, 0) AS BIGINT) AS completions,
  CAST(COALESCE(a.learning_seconds, 0) AS BIGINT) AS learning_seconds,
  CAST(COALESCE(v.resource_views, 0) AS BIGINT) AS resource_views,
  CAST(COALESCE(i.certificates_issued, 0) AS BIGINT) AS certificates_issued,
  CAST(COALESCE(c.credits_earned, 0) AS DOUBLE) AS credits_earned
FROM keys AS k
LEFT JOIN activity AS a ON a.day = k.day AND a.branch_code = k.branch_code
LEFT JOIN views AS v ON v.day = k.day AND v.branch_code = k.branch_code
LEFT JOIN registrations AS g ON g.day = k.day AND g.branch_code = k.branch_code
LEFT JOIN enrolled AS n ON n.day = k.day AND n.branch_code = k.branch_code
LEFT JOIN completed AS c ON c.day = k.day AND c.branch_code = k.branch_code
LEFT JOIN issued AS i ON i.day = k.day AND i.branch_code = k.branch_code
