"""Operational snapshots (C3): no secrets or names in the lake; only changes are landed."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, update

from lifelong.accounts.models import Branch
from lifelong.config import Settings
from lifelong.foundation.lake import table_path
from lifelong.foundation.lake.delta import latest_version, read
from lifelong.foundation.snapshots import TABLES, snapshot_all
from lifelong.learning.models import Enrolment
from tests.foundation.university import University


def test_no_password_hashes_names_or_emails_reach_the_lake(
    settings: Settings, university: University
) -> None:
    users = read(table_path(settings, "raw", "platform_users"))
    assert {"password_hash", "username", "display_name", "email"}.isdisjoint(users.schema.names)
    assert users.num_rows == 6
    for name in TABLES:
        table = read(table_path(settings, "raw", f"platform_{name}"))
        text = str(table.to_pylist())
        assert "learner0@example.org" not in text and "学员 0" not in text


def test_an_idle_platform_adds_no_versions_and_changes_are_upserted(
    settings: Settings, university: University, engine: Engine
) -> None:
    path = table_path(settings, "raw", "platform_branches")
    before = latest_version(path)
    outcomes = snapshot_all(settings, engine)
    assert {o.mode for o in outcomes} == {"unchanged"}
    assert latest_version(path) == before
    with engine.begin() as connection:
        connection.execute(
            update(Branch)
            .where(Branch.code == "BJ")
            .values(name_en="Beijing Open University", updated_at=datetime(2030, 1, 1, tzinfo=UTC))
        )
        connection.execute(update(Enrolment).values(progress=0.5))
    modes = {o.table: (o.mode, o.rows) for o in snapshot_all(settings, engine)}
    assert modes["branches"] == ("incremental", 1)
    assert modes["enrolments"] == ("full", 6)
    branches = read(path).to_pylist()
    assert len(branches) == 3
    assert {b["code"]: b["name_en"] for b in branches}["BJ"] == "Beijing Open University"
