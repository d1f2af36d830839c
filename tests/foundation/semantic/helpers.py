"""Small helpers for the semantic-layer tests."""

from __future__ import annotations

from datetime import date
from typing import Any

import duckdb

from lifelong.config import Settings
from lifelong.foundation.semantic.schemas import MetricQuery
from lifelong.foundation.semantic.scope import Scope
from lifelong.foundation.semantic.service import Result, query

ALL_METRICS = [
    "learners_served",
    "active_learners",
    "new_registrations",
    "enrolments",
    "completions",
    "completion_rate",
    "learning_hours",
    "resource_views",
    "certificates_issued",
    "credits_earned",
]
Q1 = {"start": "2026-01-01", "end": "2026-03-31"}


def ask(marts: duckdb.DuckDBPyConnection, scope: Scope | None = None, **body: Any) -> Result:
    """Run a query through the service (the in-process outlet path)."""
    body.setdefault("time_range", Q1)
    return query(
        Settings(),
        MetricQuery.model_validate(body),
        scope or Scope.everything(),
        marts,
        today=date(2026, 3, 31),
    )


def table(result: Result) -> list[dict[str, Any]]:
    """Rows as dicts keyed by column name."""
    names = [c.name for c in result.columns]
    return [dict(zip(names, row, strict=True)) for row in result.rows]
