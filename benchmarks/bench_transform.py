"""The foundation's transform: full refresh vs an incremental run after one hour of activity.

``--generated DIR`` times it on a university made by ``lifelong generate`` (for example
the medium one ``LIFELONG_BENCH_KEEP_DIR=DIR python -m benchmarks --only generate``
keeps in ``DIR/medium``): a full refresh, then one peak hour of new activity (existing
statements replayed with new ids and timestamps in the last hour, 5 % of them days late)
stored through the LRS bulk path and exported to the lake, then the incremental run.

Without it, this synthesises the raw layer directly, at "medium" scale: 46 branches, 50 k learners, 5 k resources, 150 k enrolments
and 2 M statements over 365 days (C1 rows with real statement JSON, C3 snapshots, C4
submissions). Both runs go through the real runner on the shipped model files (DuckDB +
Delta). The baseline is the same chain as a full refresh; the incremental run follows one
peak hour of new statements (10x the average hour, 5 % of them late, timestamped days
earlier). ``connect()`` (contract C5, called per request) is timed too.

Run: ``python -m benchmarks.bench_transform`` (``--quick``: 50 k statements;
``--generated DIR``: on a generated university, to ``results/transform-generated.json``).
"""

# ruff: noqa: E501  (the synthetic rows are long SQL literals; wrapping them hides the data)
from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
from deltalake import write_deltalake

from lifelong.config import Settings
from lifelong.foundation.lake import connect
from lifelong.foundation.runner import transform

SCALES = {
    "medium": {
        "learners": 50_000,
        "resources": 5_000,
        "enrolments": 150_000,
        "statements": 2_000_000,
    },
    "quick": {"learners": 2_000, "resources": 300, "enrolments": 5_000, "statements": 50_000},
}
DAYS = 365
END = datetime(2026, 11, 30, tzinfo=UTC)
IRI = "https://lifelong.example.org"
VERBS = ["launched", "played", "progressed", "completed", "experienced", "passed"]


def _write(settings: Settings, name: str, relation: duckdb.DuckDBPyRelation, **kw: Any) -> None:
    write_deltalake(str(settings.lake_dir / "raw" / name), relation.to_arrow_table(), **kw)


def _statements_sql(
    first_seq: int,
    count: int,
    learners: int,
    resources: int,
    stored_from: str,
    stored_seconds: int,
    late_share: float,
) -> str:
    """C1 rows synthesised in DuckDB: real xAPI JSON, stored in seq order."""
    verbs = ", ".join(f"'{v}'" for v in VERBS)
    return f"""
    WITH base AS (
      SELECT
        i + {first_seq} AS seq,
        uuid() AS statement_id,
        TIMESTAMPTZ '{stored_from}' + to_microseconds(CAST(i * {stored_seconds} * 1e6 / {count} AS BIGINT)) AS stored,
        1 + CAST(hash(i, 'l') % {learners} AS BIGINT) AS learner,
        1 + CAST(hash(i, 'r') % {resources} AS BIGINT) AS resource,
        ([{verbs}])[1 + CAST(hash(i, 'v') % {len(VERBS)} AS INT)] AS verb,
        CAST(hash(i, 'd') % 1800 AS INT) AS seconds,
        random() < {late_share} AS late
      FROM range({count}) AS t(i)
    )
    SELECT
      seq, statement_id, stored,
      CASE WHEN late THEN stored - INTERVAL 3 DAY ELSE stored - INTERVAL 2 SECOND END AS "timestamp",
      'http://adlnet.gov/expapi/verbs/' || verb AS verb_id,
      'account::{IRI}::' || learner AS actor_ifi,
      '{IRI}/resources/' || resource AS activity_id,
      'Activity' AS object_type,
      CAST(NULL AS VARCHAR) AS registration,
      'B' || lpad(CAST(learner % 46 AS VARCHAR), 2, '0') AS branch_code,
      'lifelong-platform' AS client,
      '1.0.3' AS version,
      json_object('id', statement_id, 'verb', json_object('id', 'http://adlnet.gov/expapi/verbs/' || verb),
                  'result', json_object('duration', 'PT' || (seconds // 60) || 'M' || (seconds % 60) || 'S'))::VARCHAR
        AS statement,
      strftime(stored, '%Y-%m-%d') AS stored_date
    FROM base
    """


def synthesise(settings: Settings, scale: dict[str, int]) -> None:
    """Land C1, C3 and C4 raw tables of one scale."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    n_l, n_r, n_e = scale["learners"], scale["resources"], scale["enrolments"]
    start = (END - timedelta(days=DAYS)).isoformat()
    ts = "TIMESTAMPTZ '2025-01-01 00:00:00+00'"
    _write(
        settings,
        "platform_branches",
        con.sql(f"""
        SELECT i + 1 AS id, 'B' || lpad(CAST(i AS VARCHAR), 2, '0') AS code, '分部' || i AS name_zh,
               'Branch ' || i AS name_en, CASE WHEN i = 0 THEN 'headquarters' ELSE 'provincial' END AS kind,
               'East' AS region, 'P' || i AS province, {ts} AS created_at, {ts} AS updated_at
        FROM range(46) t(i)"""),
    )
    _write(
        settings,
        "platform_users",
        con.sql(f"""
        SELECT i AS id, 'learner' AS role, 1 + i % 46 AS branch_id, true AS is_active, 'zh_CN' AS locale,
               CAST(NULL AS TIMESTAMPTZ) AS erased_at, {ts} AS created_at, {ts} AS updated_at
        FROM range(1, {n_l} + 1) t(i)"""),
    )
    _write(
        settings,
        "platform_learner_profiles",
        con.sql(f"""
        SELECT i AS user_id, 1950 + i % 55 AS birth_year, CASE WHEN i % 2 = 0 THEN 'female' ELSE 'male' END AS gender,
               'worker' AS occupation, 'college' AS education, 'P' || i % 46 AS province, '[]' AS interests,
               TIMESTAMPTZ '{start}' + to_days(CAST(i % {DAYS} AS INT)) AS registered_at
        FROM range(1, {n_l} + 1) t(i)"""),
    )
    _write(
        settings,
        "platform_subjects",
        con.sql("""
        SELECT i + 1 AS id, 'S' || i AS code, CASE WHEN i >= 10 THEN 1 + i % 10 END AS parent_id,
               '学科' || i AS name_zh, 'Subject ' || i AS name_en FROM range(60) t(i)"""),
    )
    _write(
        settings,
        "platform_providers",
        con.sql(f"""
        SELECT 1 AS id, 'OU' AS code, '开放大学' AS name_zh, 'Open University' AS name_en,
               'university' AS kind, CAST(NULL AS BIGINT) AS branch_id, {ts} AS created_at, {ts} AS updated_at"""),
    )
    _write(
        settings,
        "platform_resources",
        con.sql(f"""
        SELECT i AS id, 1 AS provider_id, 'r' || i AS external_id, '资源 ' || i AS title, 'zh' AS language,
               (['course','micro_course','video','ebook','assessment'])[1 + i % 5] AS type,
               'community' AS level, 'video' AS format, 1 + i % 60 AS subject_id, 30 AS duration_minutes,
               (i % 4) * 0.5 AS credits, 'published' AS status, CAST(NULL AS BIGINT) AS branch_id,
               {ts} AS published_at, {ts} AS created_at, {ts} AS updated_at
        FROM range(1, {n_r} + 1) t(i)"""),
    )
    _write(
        settings,
        "platform_programmes",
        con.sql(f"""
        SELECT 1 AS id, 'P1' AS code, '项目' AS title, '证书' AS credential, 'community' AS level,
               CAST(NULL AS BIGINT) AS branch_id, {ts} AS created_at, {ts} AS updated_at"""),
    )
    _write(
        settings,
        "platform_programme_items",
        con.sql("SELECT 1 AS programme_id, i AS resource_id, i AS position FROM range(1, 11) t(i)"),
    )
    _write(
        settings,
        "platform_enrolments",
        con.sql(f"""
        SELECT i AS id, 1 + i % {n_l} AS user_id, 1 + (i * 7) % {n_r} AS resource_id, 1 + (1 + i % {n_l}) % 46 AS branch_id,
               uuid()::VARCHAR AS registration,
               (['active','completed','withdrawn'])[1 + i % 3] AS status, 0.5 AS progress, 600 AS seconds_spent,
               1 AS attempts, CAST(NULL AS DOUBLE) AS best_score,
               TIMESTAMPTZ '{start}' + to_days(CAST(i % {DAYS} AS INT)) AS enrolled_at,
               CAST(NULL AS TIMESTAMPTZ) AS last_activity_at,
               CASE WHEN i % 3 = 1 THEN TIMESTAMPTZ '{start}' + to_days(CAST(i % {DAYS} AS INT)) END AS completed_at,
               CASE WHEN i % 3 = 2 THEN TIMESTAMPTZ '{start}' + to_days(CAST(i % {DAYS} AS INT)) END AS withdrawn_at
        FROM range(1, {n_e} + 1) t(i)"""),
    )
    _write(
        settings,
        "platform_certificates",
        con.sql(f"""
        SELECT uuid()::VARCHAR AS id, 1 + i % {n_l} AS user_id, 1 + (i * 7) % {n_r} AS resource_id,
               CAST(NULL AS BIGINT) AS programme_id, 1 + (1 + i % {n_l}) % 46 AS branch_id, '证书' AS title,
               1.0 AS credits, TIMESTAMPTZ '{start}' + to_days(CAST(i % {DAYS} AS INT)) AS issued_at,
               CAST(NULL AS TIMESTAMPTZ) AS revoked_at
        FROM range(1, {n_e} // 10 + 1) t(i)"""),
    )
    _write(
        settings,
        "branch_rosters",
        con.sql(f"""
        SELECT 'B' || lpad(CAST(i % 46 AS VARCHAR), 2, '0') AS branch_code, 'S' || i AS student_no,
               CAST(i AS VARCHAR) AS user_id, 'P1' AS programme_code, '2025-autumn' AS term,
               CASE WHEN i % 50 = 0 THEN '2025-13-01' ELSE '2025-09-01' END AS enrolled_on,
               'enrolled' AS status, '2025-09-05T08:00:00Z' AS submitted_at, 'b' || i % 10 AS batch_id
        FROM range(1, {n_l} // 5 + 1) t(i)"""),
    )
    _write(
        settings,
        "branch_grades",
        con.sql(f"""
        SELECT 'B' || lpad(CAST(i % 46 AS VARCHAR), 2, '0') AS branch_code, 'S' || i AS student_no,
               'C' || i % 20 AS course_code, '课程' AS course_name, '2025-autumn' AS term,
               CASE WHEN i % 40 = 0 THEN 'n/a' ELSE CAST(i % 101 AS VARCHAR) END AS score, 'B' AS grade,
               '2' AS credits, '2026-01-10' AS recorded_on, '2026-01-11T08:00:00Z' AS submitted_at, 'g1' AS batch_id
        FROM range(1, {n_l} // 5 + 1) t(i)"""),
    )
    count = scale["statements"]
    _write(
        settings,
        "xapi_statements",
        con.sql(_statements_sql(0, count, n_l, n_r, start, DAYS * 86400 - 3600, 0.0)),
        partition_by=["stored_date"],
    )
    con.close()


def add_hour(settings: Settings, scale: dict[str, int]) -> int:
    """Append one peak hour of statements (10x the average hour, 5 % late)."""
    count = max(scale["statements"] // (DAYS * 24) * 10, 100)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    relation = con.sql(
        _statements_sql(
            scale["statements"],
            count,
            scale["learners"],
            scale["resources"],
            (END - timedelta(hours=1)).isoformat(),
            3599,
            0.05,
        )
    )
    _write(settings, "xapi_statements", relation, mode="append", partition_by=["stored_date"])
    con.close()
    return count


def run(quick: bool = False) -> dict[str, Any]:
    """Synthesise, then time a full refresh, an incremental hour and connect()."""
    scale_name = "quick" if quick else "medium"
    scale = SCALES[scale_name]
    with tempfile.TemporaryDirectory(prefix="bench_transform_") as tmp:
        settings = Settings(data_dir=Path(tmp), secret_key="bench")
        began = time.perf_counter()
        synthesise(settings, scale)
        synthesised = time.perf_counter() - began
        began = time.perf_counter()
        full = transform(settings, full_refresh=True)
        full_s = time.perf_counter() - began
        assert full.ok, [(o.name, o.error) for o in full.outcomes if o.error]
        added = add_hour(settings, scale)
        began = time.perf_counter()
        incremental = transform(settings)
        incremental_s = time.perf_counter() - began
        assert incremental.ok, [(o.name, o.error) for o in incremental.outcomes if o.error]
        began = time.perf_counter()
        idle = transform(settings)
        idle_s = time.perf_counter() - began
        connects = []
        for _ in range(20):
            began = time.perf_counter()
            connect(settings).close()
            connects.append(time.perf_counter() - began)
        facts = connect(settings).execute("SELECT COUNT(*) FROM marts.fct_learner_day").fetchone()
    result = {
        "scale": scale_name,
        "synthesised_raw": True,
        **scale,
        "synthesise_s": round(synthesised, 1),
        "full_refresh_s": round(full_s, 1),
        "incremental_hour_statements": added,
        "incremental_s": round(incremental_s, 1),
        "incremental_models_built": sum(o.status == "built" for o in incremental.outcomes),
        "idle_run_s": round(idle_s, 2),
        "idle_run_models_built": sum(o.status == "built" for o in idle.outcomes),
        "connect_median_ms": round(statistics.median(connects) * 1000, 1),
        "fct_learner_day_rows": facts[0] if facts else 0,
        "targets": {"full_refresh_s": 300, "incremental_s": 30},
    }
    result["meets_targets"] = full_s <= 300 and incremental_s <= 30
    result["load_average_1m"] = round(os.getloadavg()[0], 1)
    return result


def replay_hour(settings: Settings, seed: int = 3) -> int:
    """One peak hour (10x the average hour) of new activity through the LRS bulk path:
    stored statements replayed with new ids and new timestamps."""
    import random
    import uuid

    import orjson

    from lifelong.records.bulk import ingest_statements
    from lifelong.records.store import open_store
    from lifelong.synth.learners import WINDOW_DAYS

    lrs = open_store(settings)
    try:
        with lrs.connect() as connection:
            total = int(
                connection.exec_driver_sql("SELECT max(seq) FROM lrs_statements").scalar() or 0
            )
            count = max(total // (WINDOW_DAYS * 24) * 10, 100)
            rng = random.Random(seed)
            seqs = sorted(rng.sample(range(1, total + 1), count))
            rows = []
            for start in range(0, len(seqs), 500):
                part = seqs[start : start + 500]
                marks = ",".join("?" * len(part))
                rows += connection.exec_driver_sql(
                    f"SELECT statement FROM lrs_statements WHERE seq IN ({marks})", tuple(part)
                ).all()
        now = datetime.now(UTC)
        statements = []
        for (text,) in rows:
            stmt = orjson.loads(text)
            for key in ("stored", "authority"):
                stmt.pop(key, None)
            stmt["id"] = str(uuid.uuid4())  # fresh on every run: a second run adds, not conflicts
            late = rng.random() < 0.05
            moment = now - timedelta(
                days=rng.randint(1, 5) if late else 0, seconds=rng.uniform(0, 3599)
            )
            stmt["timestamp"] = moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
            statements.append(stmt)
        report = ingest_statements(settings, statements, client_name="lifelong-platform")
        assert not report.rejected, report.rejected[:3]
        return report.stored
    finally:
        lrs.dispose()


def semantic_on(settings: Settings, rounds: int = 20) -> dict[str, Any]:
    """The 10-metric semantic query (month x region, 18 months) on these marts, first ask
    (planned and compiled each time), as headquarters and as the Beijing branch."""
    from benchmarks.bench_semantic import METRICS
    from lifelong.foundation.semantic.schemas import MetricQuery
    from lifelong.foundation.semantic.scope import Scope
    from lifelong.foundation.semantic.service import _compiled, query

    request = MetricQuery.model_validate(
        {
            "metrics": METRICS,
            "dimensions": ["region"],
            "time_range": {"start": "2025-06-01", "end": "2026-11-30"},
            "granularity": "month",
        }
    )
    connection = connect(settings)
    out: dict[str, Any] = {}
    try:
        for label, scope in (("hq", Scope.everything()), ("branch", Scope.branch("BJ"))):
            rows = query(settings, request, scope, connection).rows  # warm
            samples = []
            for _ in range(rounds):
                _compiled.cache_clear()
                began = time.perf_counter()
                query(settings, request, scope, connection)
                samples.append(time.perf_counter() - began)
            samples.sort()
            out[label] = {
                "result_rows": len(rows),
                "p50_ms": round(samples[len(samples) // 2] * 1000, 1),
                "p95_ms": round(samples[min(len(samples) - 1, int(0.95 * len(samples)))] * 1000, 1),
                "max_ms": round(samples[-1] * 1000, 1),
            }
    finally:
        connection.close()
    out["target_p95_ms"] = 200
    return out


def on_generated(data_dir: Path) -> dict[str, Any]:
    """Full refresh, one replayed hour, incremental run, on a generated university."""
    from lifelong.db.engine import engine_from_settings
    from lifelong.foundation.service import run_cycle
    from lifelong.foundation.snapshots import snapshot_all
    from lifelong.records.store import open_store

    settings = Settings(data_dir=data_dir)
    operational, statements = engine_from_settings(settings), open_store(settings)

    def cycle(full_refresh: bool, snapshot: bool = True) -> tuple[Any, float]:
        began = time.perf_counter()
        report = run_cycle(
            settings,
            operational=operational if snapshot else None,
            statements=statements,
            full_refresh=full_refresh,
        ).run
        assert report is not None and report.ok, report and [
            (o.name, o.error) for o in report.outcomes if o.error
        ]
        return report, time.perf_counter() - began

    _full, full_s = cycle(True)
    con = connect(settings)
    try:
        raw = con.execute("SELECT COUNT(*) FROM raw.xapi_statements").fetchone()
        facts = con.execute("SELECT COUNT(*) FROM marts.fct_learner_day").fetchone()
        learners = con.execute("SELECT COUNT(*) FROM marts.dim_learner").fetchone()
    finally:
        con.close()
    began = time.perf_counter()
    added = replay_hour(settings)
    replay_s = time.perf_counter() - began
    # What the server runs every minute (export + models); it re-reads the operational
    # tables only every snapshot_interval_seconds (default 300 s), timed on its own.
    incremental, incremental_s = cycle(False, snapshot=False)
    semantic = semantic_on(settings)
    began = time.perf_counter()
    snapshot_all(settings, operational)
    snapshot_s = time.perf_counter() - began
    operational.dispose()
    statements.dispose()
    result = {
        "data": "generated university (lifelong generate)",
        "data_dir": str(data_dir),
        "raw_statements": raw[0] if raw else 0,
        "dim_learner_rows": learners[0] if learners else 0,
        "fct_learner_day_rows": facts[0] if facts else 0,
        "full_refresh_s": round(full_s, 1),
        "incremental_hour_statements": added,
        "replay_s": round(replay_s, 1),
        "incremental_s": round(incremental_s, 1),
        "incremental_models_built": sum(o.status == "built" for o in incremental.outcomes),
        "incremental": "export + models, the scheduled cycle between snapshots",
        "snapshot_operational_tables_s": round(snapshot_s, 1),
        "semantic_10_metrics_by_month_and_region": semantic,
        "targets": {"full_refresh_s": 300, "incremental_s": 30},
        "cores": os.cpu_count(),
        "load_average_1m": round(os.getloadavg()[0], 1),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    result["meets_targets"] = full_s <= 300 and incremental_s <= 30
    return result


if __name__ == "__main__":
    if "--generated" in sys.argv:
        directory = Path(sys.argv[sys.argv.index("--generated") + 1])
        figures = on_generated(directory)
        out = Path(__file__).parent / "results" / "transform-generated.json"
        out.write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    else:
        figures = run(quick="--quick" in sys.argv)
    print(json.dumps(figures, ensure_ascii=False, indent=2))
