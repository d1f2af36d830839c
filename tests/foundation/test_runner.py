"""The transform: incremental runs equal a full refresh; audits block bad data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import duckdb
import pytest
from sqlalchemy import Engine, update

from lifelong.accounts.models import User
from lifelong.config import Settings
from lifelong.foundation.lake import connect, table_path
from lifelong.foundation.lake.delta import latest_version
from lifelong.foundation.project import ModelError, default_project
from lifelong.foundation.runlog import RunLog
from lifelong.foundation.runner import RunReport, exclusive, transform
from lifelong.foundation.snapshots import snapshot_all
from tests.foundation.university import (
    DAY1,
    University,
    post_statements,
    second_batch,
    statement,
)

MARTS = [m for m in default_project().order if m.startswith("marts.")]


def _tables(settings: Settings, names: list[str]) -> dict[str, list[tuple[object, ...]]]:
    connection = connect(settings)
    try:
        return {n: connection.execute(f"SELECT * FROM {n} ORDER BY ALL").fetchall() for n in names}
    finally:
        connection.close()


def _failures(report: RunReport) -> list[tuple[str, str | None]]:
    """The failed models of a run and why (shown when an assertion fails)."""
    return [(o.name, o.error) for o in report.outcomes if o.status == "failed"]


def test_incremental_runs_equal_a_full_refresh(settings: Settings, university: University) -> None:
    """Two incremental runs (with a late statement and a voiding) == one full refresh."""
    assert transform(settings).ok
    post_statements(settings, second_batch(settings, university))
    second = transform(settings)
    assert second.ok
    # Only the statement chain and what reads it ran; the dimensions were untouched.
    assert second.outcome("clean.statements").rows == 4
    assert second.outcome("marts.dim_learner").status == "unchanged"
    incremental = _tables(settings, [*MARTS, "clean.activity_events"])
    assert transform(settings, full_refresh=True).ok
    full = _tables(settings, [*MARTS, "clean.activity_events"])
    assert incremental == full
    a, b, _c, _d, e = university.learners
    days = {(row[0], row[1]): row for row in full["marts.fct_learner_day"]}
    # The late statement (timestamped day 1, stored later) joined learner b's day 1.
    assert days[(DAY1.date(), b)][3:] == (2, 190, 1)
    # learner e's only statement was voided: no fact for e at all.
    assert not any(key[1] == e for key in days)
    # 3723 s = PT1H2M3S parsed from ISO 8601, plus 600 s of video.
    assert days[(DAY1.date(), a)][3:] == (3, 4323, 2)


def test_a_failed_audit_stops_the_chain_and_keeps_the_last_good_marts(
    settings: Settings, university: University
) -> None:
    """A statement from an unknown branch fails a referential audit; marts stay as they were."""
    assert transform(settings).ok
    before = _tables(settings, ["marts.fct_learner_day"])
    version = latest_version(table_path(settings, "marts", "fct_learner_day"))
    bad = statement(
        settings,
        university,
        learner=university.learners[0],
        resource="video",
        verb="played",
        at=DAY1 + timedelta(days=3),
        seconds=10,
    )
    bad["context"]["extensions"][f"{settings.iri_base}/xapi/extensions/branch"] = "ZZ"
    post_statements(settings, [bad])
    report = transform(settings)
    assert report.status == "failed"
    events = report.outcome("clean.activity_events")
    assert events.status == "failed"
    (audit,) = events.failed_audits
    assert audit.name == "referential(branch_code -> clean.branches.branch_code)"
    assert audit.failing_rows == 1 and audit.sample[0]["branch_code"] == "ZZ"
    assert report.outcome("marts.fct_learner_day").status == "skipped"
    assert report.outcome("marts.agg_branch_day").status == "skipped"
    assert latest_version(table_path(settings, "marts", "fct_learner_day")) == version
    assert _tables(settings, ["marts.fct_learner_day"]) == before
    logged = {row["model"]: row for row in RunLog(settings).model_runs(report.run_id)}
    assert logged["clean.activity_events"]["status"] == "failed"
    assert logged["clean.activity_events"]["audits"][-1]["failing_rows"] == 1
    assert logged["marts.fct_learner_day"]["status"] == "skipped"


def test_dimensions_follow_the_operational_tables(
    settings: Settings, university: University, engine: Engine
) -> None:
    """A learner moved to another branch shows in dim_learner after the next snapshot."""
    assert transform(settings).ok
    learner = university.learners[0]
    with engine.begin() as connection:
        connection.execute(
            update(User)
            .where(User.id == learner)
            .values(
                branch_id=university.branches["SH"], updated_at=datetime(2030, 1, 1, tzinfo=UTC)
            )
        )
    snapshot_all(settings, engine)
    report = transform(settings)
    assert report.ok, _failures(report)
    row = (
        connect(settings)
        .execute(
            "SELECT branch_code, age_band FROM marts.dim_learner WHERE learner_id = ?", [learner]
        )
        .fetchone()
    )
    assert row is not None and row[0] == "SH"


def test_age_bands_and_quarantine(settings: Settings, university: University) -> None:
    """Ages become bands; malformed branch rows are quarantined with the rule they break."""
    assert transform(settings).ok
    connection = connect(settings)
    bands = dict(
        connection.execute("SELECT learner_id, age_band FROM marts.dim_learner").fetchall()
    )
    assert bands[university.learners[3]] == "unknown"
    assert set(bands.values()) <= {
        "under 18",
        "18-24",
        "25-34",
        "35-44",
        "45-54",
        "55-64",
        "65+",
        "unknown",
    }
    rejects = connection.execute(
        "SELECT source, student_no, reject_reason FROM clean.branch_submission_rejects ORDER BY ALL"
    ).fetchall()
    assert rejects == [
        ("branch_grades", "S4", "score is not a number"),
        ("branch_grades", "S5", "score is outside 0-100"),
        ("branch_rosters", "S3", "unknown branch_code"),
        ("branch_rosters", "S4", "user_id is not a number"),
    ]
    # "bj" and "BJ" are one branch; the later submission (suspended) wins.
    rosters = connection.execute(
        "SELECT branch_code, student_no, status FROM clean.branch_rosters ORDER BY ALL"
    ).fetchall()
    assert rosters == [("BJ", "S1", "suspended"), ("BJ", "S2", "graduated")]


def test_select_runs_a_model_and_what_reads_it(settings: Settings, university: University) -> None:
    assert transform(settings).ok
    report = transform(settings, select="marts.fct_enrolment", full_refresh=True)
    assert [o.name for o in report.outcomes] == ["marts.fct_enrolment", "marts.agg_branch_day"]
    with pytest.raises(ModelError, match=r"no model named marts\.nope"):
        transform(settings, select="marts.nope")


def test_one_run_at_a_time(settings: Settings, university: University) -> None:
    with exclusive(settings) as mine:
        assert mine
        assert transform(settings).status == "busy"
    assert transform(settings).ok


def test_connect_sees_each_new_version(settings: Settings, university: University) -> None:
    """connect() is cheap to call per request and never serves a stale version."""
    assert transform(settings).ok
    first = connect(settings)
    count = first.execute("SELECT COUNT(*) FROM clean.statements").fetchone()
    post_statements(settings, second_batch(settings, university))
    assert transform(settings).ok
    second = connect(settings)
    assert second.execute("SELECT COUNT(*) FROM clean.statements").fetchone() == (count[0] + 4,)
    assert second.execute("SELECT COUNT(*) FROM raw.xapi_statements").fetchone() == (11,)
    with pytest.raises(duckdb.CatalogException):
        second.execute("SELECT * FROM marts.no_such_mart")
