"""Hand-built C5 marts in DuckDB: small enough to check every figure by hand.

Three branches (BJ and TJ in North China, SH in East China), six learners, three resources,
January to March 2026. ``agg_branch_day`` is derived from the facts the way contract C5
defines it, so figures from the pre-aggregated path and the fact path must agree.
"""

from __future__ import annotations

import duckdb

BRANCHES = [
    ("BJ", "北京分部", "Beijing Branch", "provincial", "North China", "北京"),
    ("TJ", "天津分部", "Tianjin Branch", "provincial", "North China", "天津"),
    ("SH", "上海分部", "Shanghai Branch", "provincial", "East China", "上海"),
]
LEARNERS = [  # learner_id, branch, registered_on, age_band, gender, occupation, education
    (1, "BJ", "2025-12-15", "18-29", "f", "teacher", "bachelor"),
    (2, "BJ", "2026-01-10", "30-44", "m", "nurse", "college"),
    (3, "TJ", "2026-01-20", "18-29", "f", "engineer", "bachelor"),
    (4, "SH", "2026-02-05", "45-59", "m", "teacher", "master"),
    (5, "SH", "2026-03-01", "30-44", "f", "retired", "high_school"),
    (6, "BJ", "2026-02-28", "60+", "m", "retired", "high_school"),
]
RESOURCES = [  # id, type, level, format, language, subject, discipline, provider, credits
    (101, "course", "introductory", "video", "zh", "S1", "D1", "P1", 2.0),
    (102, "micro_lesson", "intermediate", "text", "zh", "S2", "D1", "P1", 0.5),
    (103, "course", "advanced", "video", "en", "S3", "D2", "P2", 3.0),
]
LEARNER_DAYS = [  # day, learner, branch, statements, learning_seconds, resources
    ("2026-01-05", 1, "BJ", 3, 1800, 1),
    ("2026-01-06", 1, "BJ", 2, 1200, 1),
    ("2026-01-12", 2, "BJ", 4, 3600, 1),
    ("2026-01-21", 3, "TJ", 1, 600, 1),
    ("2026-02-02", 1, "BJ", 1, 600, 1),
    ("2026-02-10", 4, "SH", 5, 7200, 1),
    ("2026-02-10", 3, "TJ", 2, 1800, 1),
    ("2026-03-02", 5, "SH", 1, 900, 1),
    ("2026-03-02", 4, "SH", 2, 1800, 1),
    ("2026-03-03", 4, "SH", 1, 900, 1),
    ("2026-03-30", 6, "BJ", 1, 300, 1),
]
RESOURCE_DAYS = [  # day, resource, branch, views, learners, learning_seconds, completions
    ("2026-01-05", 101, "BJ", 2, 1, 1800, 0),
    ("2026-01-06", 101, "BJ", 1, 1, 1200, 0),
    ("2026-01-12", 102, "BJ", 3, 1, 3600, 0),
    ("2026-01-21", 101, "TJ", 1, 1, 600, 0),
    ("2026-02-02", 102, "BJ", 1, 1, 600, 0),
    ("2026-02-10", 103, "SH", 4, 1, 7200, 0),
    ("2026-02-10", 101, "TJ", 2, 1, 1800, 0),
    ("2026-03-02", 101, "SH", 1, 1, 900, 0),
    ("2026-03-02", 103, "SH", 1, 1, 1800, 0),
    ("2026-03-03", 103, "SH", 1, 1, 900, 0),
    ("2026-03-30", 102, "BJ", 1, 1, 300, 0),
]
# registration, learner, resource, branch, enrolled, completed, withdrawn, status, credits
ENROLMENTS = [
    ("E1", 1, 101, "BJ", "2026-01-05", "2026-02-02", None, "completed", 2.0),
    ("E2", 2, 102, "BJ", "2026-01-12", "2026-01-20", None, "completed", 0.5),
    ("E3", 3, 101, "TJ", "2026-01-21", None, "2026-02-15", "withdrawn", 0.0),
    ("E4", 4, 103, "SH", "2026-02-10", "2026-03-03", None, "completed", 3.0),
    ("E5", 3, 101, "TJ", "2026-02-10", None, None, "enrolled", 0.0),
    ("E6", 5, 101, "SH", "2026-03-02", None, None, "enrolled", 0.0),
    ("E7", 1, 103, "BJ", "2025-12-20", "2026-01-06", None, "completed", 3.0),
]
CERTIFICATES = [  # id, learner, branch, resource (None: a programme certificate), issued, credits
    ("C1", 2, "BJ", 102, "2026-01-20", 0.5),
    ("C2", 1, "BJ", 101, "2026-02-02", 2.0),
    ("C3", 4, "SH", 103, "2026-03-03", 3.0),
    ("C4", 1, "BJ", None, "2026-03-15", 0.0),
    ("C5", 1, "BJ", 103, "2026-01-06", 3.0),
]

DDL = """
CREATE SCHEMA IF NOT EXISTS marts;
CREATE TABLE marts.dim_branch (branch_code VARCHAR, name_zh VARCHAR, name_en VARCHAR,
  kind VARCHAR, region VARCHAR, province VARCHAR);
CREATE TABLE marts.dim_date AS
  SELECT CAST(d AS DATE) AS day, CAST(date_trunc('week', d) AS DATE) AS week,
         CAST(date_trunc('month', d) AS DATE) AS month,
         CAST(date_trunc('quarter', d) AS DATE) AS quarter, CAST(year(d) AS INTEGER) AS year
  FROM range(DATE '2025-01-01', DATE '2027-01-01', INTERVAL 1 DAY) AS t(d);
CREATE TABLE marts.dim_resource (resource_id BIGINT, title VARCHAR, resource_type VARCHAR,
  resource_level VARCHAR, resource_format VARCHAR, language VARCHAR, subject_code VARCHAR,
  subject_name_zh VARCHAR, subject_name_en VARCHAR, discipline_code VARCHAR,
  discipline_name_zh VARCHAR, discipline_name_en VARCHAR, provider_code VARCHAR, credits DOUBLE);
CREATE TABLE marts.dim_learner (learner_id BIGINT, branch_code VARCHAR, registered_on DATE,
  age_band VARCHAR, gender VARCHAR, occupation VARCHAR, education VARCHAR, province VARCHAR);
CREATE TABLE marts.fct_learner_day (day DATE, learner_id BIGINT, branch_code VARCHAR,
  statements BIGINT, learning_seconds BIGINT, resources BIGINT);
CREATE TABLE marts.fct_resource_day (day DATE, resource_id BIGINT, branch_code VARCHAR,
  views BIGINT, learners BIGINT, learning_seconds BIGINT, completions BIGINT);
CREATE TABLE marts.fct_enrolment (registration VARCHAR, learner_id BIGINT, resource_id BIGINT,
  branch_code VARCHAR, enrolled_on DATE, completed_on DATE, withdrawn_on DATE, status VARCHAR,
  credits_earned DOUBLE);
CREATE TABLE marts.fct_certificate (certificate_id VARCHAR, learner_id BIGINT,
  branch_code VARCHAR, resource_id BIGINT, issued_on DATE, credits DOUBLE);
"""

AGG_BRANCH_DAY = """
CREATE TABLE marts.agg_branch_day AS
WITH keys AS (
  SELECT day, branch_code FROM marts.fct_learner_day
  UNION SELECT registered_on, branch_code FROM marts.dim_learner
  UNION SELECT enrolled_on, branch_code FROM marts.fct_enrolment
  UNION SELECT completed_on, branch_code FROM marts.fct_enrolment WHERE completed_on IS NOT NULL
  UNION SELECT day, branch_code FROM marts.fct_resource_day
  UNION SELECT issued_on, branch_code FROM marts.fct_certificate
)
SELECT k.day, k.branch_code,
  (SELECT count(DISTINCT learner_id) FROM marts.fct_learner_day f
    WHERE f.day = k.day AND f.branch_code = k.branch_code) AS active_learners,
  (SELECT count(*) FROM marts.dim_learner l
    WHERE l.registered_on = k.day AND l.branch_code = k.branch_code) AS new_registrations,
  (SELECT count(*) FROM marts.fct_enrolment e
    WHERE e.enrolled_on = k.day AND e.branch_code = k.branch_code) AS enrolments,
  (SELECT count(*) FROM marts.fct_enrolment e
    WHERE e.completed_on = k.day AND e.branch_code = k.branch_code) AS completions,
  (SELECT coalesce(sum(learning_seconds), 0) FROM marts.fct_learner_day f
    WHERE f.day = k.day AND f.branch_code = k.branch_code) AS learning_seconds,
  (SELECT coalesce(sum(views), 0) FROM marts.fct_resource_day r
    WHERE r.day = k.day AND r.branch_code = k.branch_code) AS resource_views,
  (SELECT count(*) FROM marts.fct_certificate c
    WHERE c.issued_on = k.day AND c.branch_code = k.branch_code) AS certificates_issued,
  (SELECT coalesce(sum(credits_earned), 0) FROM marts.fct_enrolment e
    WHERE e.completed_on = k.day AND e.branch_code = k.branch_code) AS credits_earned
FROM keys k
"""

# One row per learner active in a week / month and branch, written independently of the
# model files (GROUP BY here, the models' DATE_TRUNC per touched period there).
PERIOD_MARTS = """
CREATE TABLE marts.fct_learner_week AS
SELECT d.week, f.learner_id, f.branch_code, count(*) AS active_days,
  sum(f.statements) AS statements, sum(f.learning_seconds) AS learning_seconds
FROM marts.fct_learner_day f JOIN marts.dim_date d ON d.day = f.day
GROUP BY d.week, f.learner_id, f.branch_code;
CREATE TABLE marts.fct_learner_month AS
SELECT d.month, f.learner_id, f.branch_code, count(*) AS active_days,
  sum(f.statements) AS statements, sum(f.learning_seconds) AS learning_seconds
FROM marts.fct_learner_day f JOIN marts.dim_date d ON d.day = f.day
GROUP BY d.month, f.learner_id, f.branch_code;
"""


def build_marts(connection: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Create and fill the C5 marts in ``connection``; returns it."""
    connection.execute(DDL)
    connection.executemany("INSERT INTO marts.dim_branch VALUES (?, ?, ?, ?, ?, ?)", BRANCHES)
    connection.executemany(
        "INSERT INTO marts.dim_learner VALUES (?, ?, ?, ?, ?, ?, ?, NULL)", LEARNERS
    )
    connection.executemany(
        "INSERT INTO marts.dim_resource VALUES (?, 'title ' || ?, ?, ?, ?, ?, ?, '学科', 'subject',"
        " ?, '门类', 'discipline', ?, ?)",
        [(r[0], r[0], *r[1:]) for r in RESOURCES],
    )
    connection.executemany(
        "INSERT INTO marts.fct_learner_day VALUES (?, ?, ?, ?, ?, ?)", LEARNER_DAYS
    )
    connection.executemany(
        "INSERT INTO marts.fct_resource_day VALUES (?, ?, ?, ?, ?, ?, ?)", RESOURCE_DAYS
    )
    connection.executemany(
        "INSERT INTO marts.fct_enrolment VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", ENROLMENTS
    )
    connection.executemany(
        "INSERT INTO marts.fct_certificate VALUES (?, ?, ?, ?, ?, ?)", CERTIFICATES
    )
    connection.execute(AGG_BRANCH_DAY)
    connection.execute(PERIOD_MARTS)
    return connection
