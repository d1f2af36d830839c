/*
name: clean.branches
kind: full
grain: branch
owner: data-foundation
description: Headquarters and branches with standardised codes (trimmed, upper case).
columns:
  branch_id: operational id
  branch_code: branch code (upper case)
  name_zh: Chinese name
  name_en: English name
  kind: headquarters, provincial or sector
  region: region
  province: province (null for sector branches)
audits:
  - not_null: [branch_id, branch_code, name_zh, kind]
  - unique: [branch_code]
  - accepted_values: {column: kind, values: [headquarters, provincial, sector]}
  - row_count: {min: 1, severity: warn}
*/
SELECT
  b.id AS branch_id,
  UPPER(TRIM(b.code)) AS branch_code,
  b.name_zh,
  b.name_en,
  b.kind,
  b.region,
  b.province
FROM raw.platform_branches AS b
