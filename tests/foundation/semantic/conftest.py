"""Fixtures: the hand-built C5 marts and an API client whose lake is those marts.

The metrics API only reads, so one app, one set of users and one marts database serve a
whole test module (starting the app and signing in with Argon2 per test took ~7 s each on
the shared machine).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from fastapi.testclient import TestClient

from lifelong.accounts.models import BranchKind, Role
from lifelong.app import create_app
from lifelong.config import Settings
from lifelong.db.engine import make_engine, make_session_factory
from lifelong.foundation.semantic.routes import lake_connection
from tests.factories import make_branch, make_user, token_for
from tests.foundation.semantic.marts import build_marts


@pytest.fixture(scope="module")
def marts() -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB holding the hand-built marts (queries never write)."""
    connection = build_marts(duckdb.connect())
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def api_settings(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Settings:
    """Settings on a copy of the migrated SQLite template, shared by a module."""
    data = tmp_path_factory.mktemp("semantic") / "data"
    data.mkdir()
    shutil.copy(sqlite_template, data / "lifelong.db")
    return Settings(
        data_dir=data, database_url=f"sqlite:///{data / 'lifelong.db'}", secret_key="test-key"
    )


@pytest.fixture(scope="module")
def users(api_settings: Settings) -> dict[str, str]:
    """One user per role: HQ admin and analyst at HQ, BJ's admin, a teacher at SH, a learner."""
    engine = make_engine(api_settings.resolved_database_url)
    with make_session_factory(engine)() as db:
        hq = make_branch(db, "HQ", kind=BranchKind.headquarters)
        bj = make_branch(db, "BJ")
        sh = make_branch(db, "SH")
        people = {
            "hq": make_user(db, Role.hq_admin, branch=hq).username,
            "analyst": make_user(db, Role.analyst, branch=hq).username,
            "bj": make_user(db, Role.branch_admin, branch=bj).username,
            "sh_teacher": make_user(db, Role.teacher, branch=sh).username,
            "learner": make_user(db, Role.learner, branch=bj).username,
        }
        db.commit()
    engine.dispose()
    return people


@pytest.fixture(scope="module")
def api(
    api_settings: Settings, users: dict[str, str], marts: duckdb.DuckDBPyConnection
) -> Iterator[TestClient]:
    """The app with its lake dependency pointed at the hand-built marts."""
    app = create_app(api_settings)
    app.dependency_overrides[lake_connection] = lambda: marts
    with TestClient(app) as client:
        yield client


class Tokens(dict[str, dict[str, str]]):
    """Bearer-token headers per user key, signed in on first use."""

    def __init__(self, api: TestClient, users: dict[str, str]):
        super().__init__()
        self.api = api
        self.users = users

    def __missing__(self, key: str) -> dict[str, str]:
        self[key] = token_for(self.api, self.users[key])
        return self[key]


@pytest.fixture(scope="module")
def headers(api: TestClient, users: dict[str, str]) -> dict[str, Any]:
    """Bearer-token headers per user key."""
    return Tokens(api, users)
