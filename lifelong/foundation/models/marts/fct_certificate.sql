/*
name: marts.fct_certificate
kind: full
grain: certificate
owner: data-foundation
description: Certificates issued (not revoked), with their credits (contract C5).
columns:
  certificate_id: certificate id
  learner_id: holder
  branch_code: the learner's branch
  resource_id: resource completed, or null for a programme certificate
  issued_on: day issued
  credits: credits
audits:
  - not_null: [certificate_id, learner_id, branch_code, issued_on, credits]
  - unique: [certificate_id]
  - referential: {column: branch_code, to: marts.dim_branch, to_column: branch_code}
*/
SELECT c.certificate_id, c.learner_id, c.branch_code, c.resource_id, c.issued_on, c.credits
FROM clean.certificates AS c
