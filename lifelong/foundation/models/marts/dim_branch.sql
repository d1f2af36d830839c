/*
name: marts.dim_branch
kind: full
grain: branch
owner: data-foundation
description: Branches for every outlet (contract C5).
columns:
  branch_code: branch code
  name_zh: Chinese name
  name_en: English name
  kind: headquarters, provincial or sector
  region: region
  province: province
audits:
  - not_null: [branch_code, name_zh, name_en, kind]
  - unique: [branch_code]
  - row_count: {min: 1, severity: warn}
*/
SELECT b.branch_code, b.name_zh, b.name_en, b.kind, b.region, b.province
FROM clean.branches AS b
