"""Fixtures: the hand-built C5 marts and an API client whose lake is those marts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import duckdb
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from lifelong.accounts.models import Role
from lifelong.foundation.semantic.routes import lake_connection
from tests.factories import make_branch, make_user, token_for
from tests.foundation.semantic.marts import build_marts


@pytest.fixture
def marts() -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB holding the hand-built marts."""
    connection = build_marts(duckdb.connect())
    yield connection
    connection.close()


@pytest.fixture
def api(client: TestClient, marts: duckdb.DuckDBPyConnection) -> TestClient:
    """The app with its lake dependency pointed at the hand-built marts."""
    client.app.dependency_overrides[lake_connection] = lambda: marts  # type: ignore[attr-defined]
    return client


@pytest.fixture
def users(db: Session) -> dict[str, Any]:
    """One user per role: HQ admin and analyst at HQ, BJ's admin, a teacher at SH, a learner."""
    from lifelong.accounts.models import BranchKind

    hq = make_branch(db, "HQ", kind=BranchKind.headquarters)
    bj = make_branch(db, "BJ")
    sh = make_branch(db, "SH")
    people = {
        "hq": make_user(db, Role.hq_admin, branch=hq, username="sem_hq"),
        "analyst": make_user(db, Role.analyst, branch=hq, username="sem_analyst"),
        "bj": make_user(db, Role.branch_admin, branch=bj, username="sem_bj"),
        "sh_teacher": make_user(db, Role.teacher, branch=sh, username="sem_sh_teacher"),
        "learner": make_user(db, Role.learner, branch=bj, username="sem_learner"),
    }
    db.commit()
    return people


@pytest.fixture
def headers(api: TestClient, users: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Bearer-token headers per user key."""
    return {key: token_for(api, user.username) for key, user in users.items()}
