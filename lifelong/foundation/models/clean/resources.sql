/*
name: clean.resources
kind: full
grain: resource
owner: data-foundation
description: The resource matrix with subject, discipline and provider resolved.
columns:
  resource_id: operational id (the number in the activity IRI)
  title: title
  resource_type: course, micro_course, video, ebook, live_session, assessment, document
  resource_level: bachelor, associate, vocational_certificate, community, elderly, general_interest
  resource_format: video, audio, text, interactive, live, blended
  language: language code
  status: draft, published, retired
  subject_code: subject
  subject_name_zh: subject (Chinese)
  subject_name_en: subject (English)
  discipline_code: discipline
  discipline_name_zh: discipline (Chinese)
  discipline_name_en: discipline (English)
  provider_code: provider
  owner_branch_code: the branch owning it, null for university-wide resources
  credits: credits earned on completion
audits:
  - not_null: [resource_id, title, resource_type, resource_level, resource_format, credits]
  - unique: [resource_id]
  - accepted_values: {column: resource_type, values: [course, micro_course, video, ebook, live_session, assessment, document]}
  - accepted_values: {column: status, values: [draft, published, retired]}
*/
SELECT
  r.id AS resource_id,
  r.title,
  r.type AS resource_type,
  r.level AS resource_level,
  r.format AS resource_format,
  r.language,
  r.status,
  s.subject_code,
  s.subject_name_zh,
  s.subject_name_en,
  s.discipline_code,
  s.discipline_name_zh,
  s.discipline_name_en,
  pr.code AS provider_code,
  b.branch_code AS owner_branch_code,
  CAST(COALESCE(r.credits, 0) AS DOUBLE) AS credits
FROM raw.platform_resources AS r
LEFT JOIN clean.subjects AS s ON s.subject_id = r.subject_id
LEFT JOIN raw.platform_providers AS pr ON pr.id = r.provider_id
LEFT JOIN clean.branches AS b ON b.branch_id = r.branch_id
