"""active_learners from the week / month marts: the same exact distinct count as the days.

The pre-aggregated source is taken only for its own grain over whole periods; any other
grain or a range that clips a period falls back to ``fct_learner_day``.
"""

from __future__ import annotations

from typing import Any

import duckdb
import pytest
from sqlglot import exp

from lifelong.accounts.models import Role
from lifelong.foundation.semantic.schemas import MetricQuery
from lifelong.foundation.semantic.scope import Scope
from lifelong.foundation.semantic.service import build
from tests.foundation.semantic.helpers import ask, table

WHOLE = {"start": "2026-01-01", "end": "2026-03-31"}  # whole months
WHOLE_WEEKS = {"start": "2025-12-29", "end": "2026-03-29"}  # Monday .. Sunday
CLIPPED = {"start": "2026-01-06", "end": "2026-03-02"}  # cuts January and March


def _exact(
    marts: duckdb.DuckDBPyConnection,
    grain: str,
    time_range: dict[str, str],
    by: str | None,
    branches: list[str] | None,
) -> dict[tuple[Any, ...], int]:
    """COUNT(DISTINCT learner_id) straight from fct_learner_day, written by hand."""
    column = {"region": "b.region", "branch": "f.branch_code", "age_band": "l.age_band"}.get(
        by or "", "NULL"
    )
    scope = f"AND f.branch_code IN ({', '.join('?' for _ in branches)})" if branches else ""
    rows = marts.execute(
        f"""SELECT d.{grain}, {column}, count(DISTINCT f.learner_id)
        FROM marts.fct_learner_day f JOIN marts.dim_date d ON d.day = f.day
        JOIN marts.dim_branch b ON b.branch_code = f.branch_code
        LEFT JOIN marts.dim_learner l ON l.learner_id = f.learner_id
        WHERE f.day BETWEEN ? AND ? {scope} GROUP BY ALL""",
        [time_range["start"], time_range["end"], *(branches or [])],
    ).fetchall()
    return {(period, key): count for period, key, count in rows}


def _marts_read(body: dict[str, Any], scope: Scope) -> set[str]:
    _, tree = build(MetricQuery.model_validate(body), scope, max_rows=100)
    return {
        table.name
        for table in tree.find_all(exp.Table)
        if table.db == "marts" and table.name != "dim_date"
    }


@pytest.mark.parametrize(
    ("grain", "time_range", "source"),
    [
        ("month", WHOLE, "fct_learner_month"),
        ("week", WHOLE_WEEKS, "fct_learner_week"),
        ("month", CLIPPED, "fct_learner_day"),
        ("week", CLIPPED, "fct_learner_day"),
        ("quarter", WHOLE, "fct_learner_day"),
        ("day", WHOLE, "fct_learner_day"),
    ],
)
@pytest.mark.parametrize("by", [None, "region", "branch", "age_band"])
@pytest.mark.parametrize("branches", [None, ["SH"], ["BJ", "TJ"]])
def test_active_learners_equal_the_exact_count_over_days(
    marts: duckdb.DuckDBPyConnection,
    grain: str,
    time_range: dict[str, str],
    source: str,
    by: str | None,
    branches: list[str] | None,
) -> None:
    scope = Scope(role=Role.hq_admin, branches=None if branches is None else frozenset(branches))
    body: dict[str, Any] = {
        "metrics": ["active_learners"],
        "dimensions": [by] if by else [],
        "time_range": time_range,
        "granularity": grain,
    }
    assert _marts_read(body, scope) & {
        "fct_learner_day",
        "fct_learner_week",
        "fct_learner_month",
    } == {source}
    rows = table(ask(marts, scope, **body))
    got = {(row[grain], row.get(by) if by else None): row["active_learners"] for row in rows}
    assert got == _exact(marts, grain, time_range, by, branches)
    assert any(count > 0 for count in got.values())


def test_a_quarter_is_not_the_sum_of_its_months(marts: duckdb.DuckDBPyConnection) -> None:
    """Months come from fct_learner_month, the quarter from the days: learners 1, 3 and 4
    are active in two months of Q1 and count once in the quarter."""
    months = table(ask(marts, metrics=["active_learners"], time_range=WHOLE, granularity="month"))
    quarter = table(
        ask(marts, metrics=["active_learners"], time_range=WHOLE, granularity="quarter")
    )
    assert [row["active_learners"] for row in months] == [3, 3, 3]
    assert [row["active_learners"] for row in quarter] == [6]
