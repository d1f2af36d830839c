"""Generating the tiny university: determinism, counts, refusal, resume, demo accounts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from lifelong.app import create_app
from lifelong.config import Settings
from lifelong.db.engine import make_engine
from lifelong.errors import BadRequest, Conflict
from lifelong.records.store import make_store_engine
from lifelong.synth.scales import SCALES
from lifelong.synth.service import GenerateReport, generate
from lifelong.synth.world import DEMO_PASSWORD, DEMO_USERNAMES, FIRST_LEARNER
from tests.synth.conftest import AS_OF, count, make_tiny, snapshot, tiny_settings

Tiny = tuple[Settings, GenerateReport]


def test_same_seed_gives_identical_rows_and_statement_ids(
    tmp_path: Path, tiny_snapshot: dict[str, Any]
) -> None:
    settings, _ = make_tiny(tmp_path / "again")
    again = snapshot(settings)
    for table, rows in tiny_snapshot.items():
        assert again[table] == rows, f"{table} differs between two runs of seed 7"


def test_counts_follow_the_scale_definition(tiny: Tiny) -> None:
    settings, report = tiny
    spec = SCALES["tiny"]
    assert count(settings, "SELECT count(*) FROM branches") == 46  # HQ + 45 branches
    assert count(settings, "SELECT count(*) FROM branches WHERE kind = 'sector'") == 9
    assert count(settings, "SELECT count(*) FROM resources") == spec.resources
    assert count(settings, "SELECT count(*) FROM users WHERE id >= 10000") == spec.learners
    assert count(settings, "SELECT count(*) FROM learner_profiles") == spec.learners + 1
    enrolments = count(settings, "SELECT count(*) FROM enrolments")
    assert enrolments == report.enrolments  # the demo learner's five included
    assert report.statements > enrolments * 3
    assert count(settings, "SELECT count(DISTINCT type) FROM resources") == 7
    lrs = make_engine(settings.resolved_lrs_database_url)
    with lrs.connect() as connection:
        stored = connection.execute(text("SELECT count(*) FROM lrs_statements")).scalar_one()
        clients = connection.execute(text("SELECT DISTINCT client FROM lrs_statements")).all()
    lrs.dispose()
    assert stored == report.statements
    assert clients == [("lifelong-platform",)]


def test_a_populated_store_refuses_without_force_and_changes_nothing(tiny: Tiny) -> None:
    settings, _ = tiny
    before = count(settings, "SELECT count(*) FROM enrolments")
    with pytest.raises(Conflict, match="--force"):
        generate(settings, scale="tiny", seed=7, as_of=AS_OF, progress=False)
    with pytest.raises(Conflict, match="--force"):
        generate(settings, scale="small", seed=3, as_of=AS_OF, progress=False)
    assert count(settings, "SELECT count(*) FROM enrolments") == before


def test_data_from_elsewhere_is_not_overwritten_without_force(settings: Settings) -> None:
    engine = make_engine(settings.resolved_database_url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO branches (code, name_zh, name_en, kind, region, created_at,"
                " updated_at) VALUES ('X', 'X', 'X', 'provincial', 'North China',"
                " '2026-01-01', '2026-01-01')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO users (username, display_name, password_hash, role, branch_id,"
                " is_active, created_at, updated_at) VALUES ('someone', 's', 'x', 'learner', 1,"
                " true, '2026-01-01', '2026-01-01')"
            )
        )
    engine.dispose()
    with pytest.raises(Conflict, match="already holds data"):
        generate(settings, scale="tiny", seed=1, as_of=AS_OF, progress=False)
    assert count(settings, "SELECT count(*) FROM users") == 1


def test_unknown_scale_and_bad_date_are_clear(tmp_path: Path) -> None:
    settings = tiny_settings(tmp_path / "d")
    with pytest.raises(BadRequest, match="unknown scale 'huge'; choose one of tiny, small"):
        generate(settings, scale="huge", seed=1, progress=False)
    with pytest.raises(BadRequest, match="--as-of"):
        generate(settings, scale="tiny", seed=1, as_of="30/11/2026", progress=False)


class Interrupted(Exception):
    """Raised by the test hook in the middle of a run."""


def test_an_interrupted_run_resumes_to_the_same_result(
    tmp_path: Path, tiny_snapshot: dict[str, Any]
) -> None:
    settings = tiny_settings(tmp_path / "resume")

    def crash(stage: str, chunk: int) -> None:
        # After chunk 1's statements and branch records landed, before its commit.
        if chunk == 1:
            raise Interrupted

    with pytest.raises(Interrupted):
        generate(settings, scale="tiny", seed=7, as_of=AS_OF, progress=False, before_commit=crash)
    assert count(settings, "SELECT count(*) FROM synth_chunks WHERE stage = 'learners'") == 1
    with pytest.raises(Conflict, match="other parameters"):
        generate(settings, scale="tiny", seed=9, as_of=AS_OF, progress=False)
    report = generate(settings, scale="tiny", seed=7, as_of=AS_OF, progress=False)
    assert report.resumed and report.chunks_skipped == 1
    assert snapshot(settings) == tiny_snapshot  # no duplicates, nothing missing


def test_another_seed_differs_and_force_replaces_it_entirely(
    tmp_path: Path, tiny_snapshot: dict[str, Any]
) -> None:
    settings, _ = make_tiny(tmp_path / "other", seed=8)
    other = snapshot(settings)
    assert other["branches"] == tiny_snapshot["branches"]  # the real system is fixed
    assert other["learner_profiles"] != tiny_snapshot["learner_profiles"]
    assert not {r[0] for r in other["statements"]} & {r[0] for r in tiny_snapshot["statements"]}
    again = generate(settings, scale="tiny", seed=7, as_of=AS_OF, progress=False, force=True)
    assert not again.resumed
    assert count(settings, "SELECT count(*) FROM synth_runs") == 1
    # Nothing of seed 8 is left anywhere: the store is exactly seed 7's.
    assert snapshot(settings) == tiny_snapshot


def test_demo_accounts_exist_only_after_generate(
    tiny: Tiny, client: TestClient, settings: Settings
) -> None:
    # ``client`` runs the app on a freshly initialised store: no demo accounts there.
    refused = client.post(
        "/api/v1/auth/token", data={"username": "learner", "password": DEMO_PASSWORD}
    )
    assert refused.status_code == 401
    with TestClient(create_app(tiny[0])) as generated:
        for username in DEMO_USERNAMES:
            response = generated.post(
                "/api/v1/auth/token", data={"username": username, "password": DEMO_PASSWORD}
            )
            assert response.status_code == 200, (username, response.text)
        token = generated.post(
            "/api/v1/auth/token", data={"username": "bj_admin", "password": DEMO_PASSWORD}
        )
        me = generated.get(
            "/api/v1/me", headers={"Authorization": f"Bearer {token.json()['access_token']}"}
        )
        assert me.json()["role"] == "branch_admin"
    statuses = count(
        tiny[0], "SELECT count(*) FROM enrolments WHERE user_id = 5 AND status = 'completed'"
    )
    assert statuses == 2
    assert count(tiny[0], "SELECT count(*) FROM certificates WHERE user_id = 5") == 2
    assert (
        count(tiny[0], "SELECT count(*) FROM enrolments WHERE user_id = 5 AND status = 'active'")
        == 3
    )
    assert count(tiny[0], "SELECT count(*) FROM resources WHERE created_by_id = 4") > 0


def test_learner_ids_start_after_staff(tiny: Tiny) -> None:
    assert count(tiny[0], "SELECT min(id) FROM users WHERE role = 'learner' AND id > 5") == (
        FIRST_LEARNER
    )


def test_the_report_counts_what_the_run_stored(tiny: Tiny) -> None:
    """The printed figures of a fresh run are the university's: the demo learner (its
    enrolments, certificates and statements) included."""
    settings, report = tiny
    assert report.learners == count(settings, "SELECT count(*) FROM users WHERE role = 'learner'")
    assert report.enrolments == count(settings, "SELECT count(*) FROM enrolments")
    assert report.certificates == count(settings, "SELECT count(*) FROM certificates")
    store = make_store_engine(settings)
    try:
        with store.connect() as connection:
            stored = connection.execute(text("SELECT count(*) FROM lrs_statements")).scalar()
    finally:
        store.dispose()
    assert report.statements == stored
