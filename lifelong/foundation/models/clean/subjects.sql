/*
name: clean.subjects
kind: full
grain: subject
owner: data-foundation
description: The subject tree flattened - each subject with its discipline (the root of its branch of the tree, up to three levels).
columns:
  subject_id: operational id
  subject_code: subject code
  subject_name_zh: Chinese name
  subject_name_en: English name
  discipline_code: root subject's code
  discipline_name_zh: root subject's Chinese name
  discipline_name_en: root subject's English name
audits:
  - not_null: [subject_id, subject_code, discipline_code]
  - unique: [subject_code]
*/
SELECT
  s.id AS subject_id,
  s.code AS subject_code,
  s.name_zh AS subject_name_zh,
  s.name_en AS subject_name_en,
  COALESCE(g.code, p.code, s.code) AS discipline_code,
  COALESCE(g.name_zh, p.name_zh, s.name_zh) AS discipline_name_zh,
  COALESCE(g.name_en, p.name_en, s.name_en) AS discipline_name_en
FROM raw.platform_subjects AS s
LEFT JOIN raw.platform_subjects AS p ON p.id = s.parent_id
LEFT JOIN raw.platform_subjects AS g ON g.id = p.parent_id
