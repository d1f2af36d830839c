"""Fixtures for the LRS tests: credentials, headers and statement builders."""

from __future__ import annotations

import base64
import copy
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session

from lifelong.records.credentials import create_credential

VERB = "http://adlnet.gov/expapi/verbs/completed"
ACTIVITY = "http://example.org/activities/course-1"

BASE: dict[str, Any] = {
    "actor": {"objectType": "Agent", "mbox": "mailto:learner@example.org", "name": "Learner"},
    "verb": {"id": VERB, "display": {"en-US": "completed", "zh-CN": "完成"}},
    "object": {
        "objectType": "Activity",
        "id": ACTIVITY,
        "definition": {"name": {"en-US": "Course one", "zh-CN": "课程一"}},
    },
}


def statement(**changes: Any) -> dict[str, Any]:
    """A valid statement with ``changes`` applied (None removes a property)."""
    stmt = copy.deepcopy(BASE)
    for key, value in changes.items():
        if value is None:
            stmt.pop(key, None)
        else:
            stmt[key] = value
    return stmt


def basic(key: str, secret: str) -> str:
    """An HTTP Basic Authorization value."""
    return "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()


HeadersFor = Callable[..., dict[str, str]]


@pytest.fixture
def headers_for(db: Session) -> HeadersFor:
    """Make a credential and return xAPI request headers for it."""

    def make(
        scopes: str = "all", *, branch: str | None = None, version: str = "1.0.3", name: str = ""
    ) -> dict[str, str]:
        _credential, key, secret = create_credential(
            db, name=name or f"client-{uuid.uuid4().hex[:8]}", scopes=scopes, branch_code=branch
        )
        db.commit()
        return {"Authorization": basic(key, secret), "X-Experience-API-Version": version}

    return make


@pytest.fixture
def xapi(headers_for: HeadersFor) -> dict[str, str]:
    """Headers of an all-scopes credential speaking xAPI 1.0.3."""
    return headers_for()


def small_segments(monkeypatch: pytest.MonkeyPatch, bits: int) -> None:
    """Segments of ``2 ** bits`` statements for one test, in every module that reads
    ``tables.SEGMENT_BITS`` (the writer, the query, the id index agree on it)."""
    from lifelong.records import id_index
    from lifelong.records import query as statement_query
    from lifelong.records import repository as statement_repository

    for module in (statement_repository, statement_query, id_index):
        monkeypatch.setattr(module, "SEGMENT_BITS", bits)
