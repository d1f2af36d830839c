/*
name: clean.certificates
kind: full
grain: certificate
owner: data-foundation
description: Certificates issued and not revoked.
columns:
  certificate_id: the certificate's public id
  learner_id: holder
  branch_code: issuing branch (the learner's branch)
  resource_id: the resource completed (null for programme certificates)
  programme_id: the programme completed (null for resource certificates)
  issued_on: UTC day
  credits: credits it carries
audits:
  - not_null: [certificate_id, learner_id, branch_code, issued_on, credits]
  - unique: [certificate_id]
*/
SELECT
  c.id AS certificate_id,
  c.user_id AS learner_id,
  b.branch_code,
  c.resource_id,
  c.programme_id,
  CAST(CAST(c.issued_at AS TIMESTAMP) AS DATE) AS issued_on,
  CAST(COALESCE(c.credits, 0) AS DOUBLE) AS credits
FROM raw.platform_certificates AS c
JOIN clean.branches AS b ON b.branch_id = c.branch_id
WHERE c.revoked_at IS NULL
