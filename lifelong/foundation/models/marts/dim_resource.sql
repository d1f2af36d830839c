/*
name: marts.dim_resource
kind: full
grain: resource
owner: data-foundation
description: Resources of the matrix with subject, discipline and provider (contract C5).
columns:
  resource_id: resource id
  title: title
  resource_type: type
  resource_level: level
  resource_format: format
  language: language
  subject_code: subject
  subject_name_zh: subject (Chinese)
  subject_name_en: subject (English)
  discipline_code: discipline
  discipline_name_zh: discipline (Chinese)
  discipline_name_en: discipline (English)
  provider_code: provider
  credits: credits
  status: draft, published, retired
audits:
  - not_null: [resource_id, title, resource_type, credits]
  - unique: [resource_id]
*/
SELECT
  r.resource_id, r.title, r.resource_type, r.resource_level, r.resource_format, r.language,
  r.subject_code, r.subject_name_zh, r.subject_name_en,
  r.discipline_code, r.discipline_name_zh, r.discipline_name_en,
  r.provider_code, r.credits, r.status
FROM clean.resources AS r
