"""fct_learner_week / fct_learner_month: incremental == full refresh == the days, exactly."""

from __future__ import annotations

from datetime import timedelta

from lifelong.config import Settings
from lifelong.foundation.lake import connect
from lifelong.foundation.runner import transform
from tests.foundation.university import (
    DAY1,
    University,
    post_statements,
    second_batch,
    statement,
    voiding,
)

PERIODS = ("week", "month")


def _period_tables(settings: Settings) -> dict[str, list[tuple[object, ...]]]:
    connection = connect(settings)
    try:
        return {
            p: connection.execute(f"SELECT * FROM marts.fct_learner_{p} ORDER BY ALL").fetchall()
            for p in PERIODS
        }
    finally:
        connection.close()


def _from_days(settings: Settings) -> dict[str, list[tuple[object, ...]]]:
    """The same rows written independently from fct_learner_day (dim_date's periods)."""
    connection = connect(settings)
    try:
        return {
            p: connection.execute(
                f"""SELECT d.{p}, f.learner_id, f.branch_code, count(*), sum(f.statements),
                       sum(f.learning_seconds)
                FROM marts.fct_learner_day f JOIN marts.dim_date d ON d.day = f.day
                GROUP BY ALL ORDER BY ALL"""
            ).fetchall()
            for p in PERIODS
        }
    finally:
        connection.close()


def _distinct(settings: Settings, period: str) -> tuple[list[object], list[object]]:
    """Active learners per period: from the period mart and exactly from the days."""
    connection = connect(settings)
    try:
        mart = connection.execute(
            f"SELECT {period}, count(DISTINCT learner_id) FROM marts.fct_learner_{period} "
            "GROUP BY ALL ORDER BY ALL"
        ).fetchall()
        days = connection.execute(
            f"SELECT d.{period}, count(DISTINCT f.learner_id) FROM marts.fct_learner_day f "
            "JOIN marts.dim_date d ON d.day = f.day GROUP BY ALL ORDER BY ALL"
        ).fetchall()
        return mart, days
    finally:
        connection.close()


def test_period_marts_equal_the_days_after_incremental_runs_and_a_full_refresh(
    settings: Settings, university: University
) -> None:
    """Late statements, a voiding and a new month: each touched period is recomputed whole."""
    assert transform(settings).ok
    c = university.learners[2]
    post_statements(settings, second_batch(settings, university))
    assert transform(settings).ok
    # A month later, and then the only statement of that month voided: the month's row
    # must go, not linger from the run that wrote it.
    later = DAY1 + timedelta(days=20)  # 2026-12-10: another week and another month
    lone = statement(
        settings,
        university,
        learner=c,
        resource="video",
        verb="played",
        at=later,
        statement_id="22222222-2222-4222-8222-222222222222",
    )
    post_statements(settings, [lone])
    run = transform(settings)
    assert run.ok and run.outcome("marts.fct_learner_month").status == "built"
    months = _period_tables(settings)["month"]
    assert any(row[0] == later.date().replace(day=1) and row[1] == c for row in months)
    post_statements(settings, [voiding(settings, lone["id"], later + timedelta(hours=1))])
    assert transform(settings).ok

    incremental = _period_tables(settings)
    assert incremental == _from_days(settings)
    assert not any(row[0] == later.date().replace(day=1) for row in incremental["month"])
    for period in PERIODS:
        mart, days = _distinct(settings, period)
        assert mart == days and mart

    assert transform(settings, full_refresh=True).ok
    assert _period_tables(settings) == incremental


def test_duckdb_threads_setting_reaches_the_lake_connection(settings: Settings) -> None:
    """LIFELONG_FOUNDATION__DUCKDB_THREADS=1 is what every query on the marts runs with."""
    one = settings.model_copy(
        update={"foundation": settings.foundation.model_copy(update={"duckdb_threads": 1})}
    )
    connection = connect(one)
    try:
        assert connection.execute("SELECT current_setting('threads')").fetchone() == (1,)
    finally:
        connection.close()
