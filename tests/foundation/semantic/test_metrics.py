"""Every metric, for headquarters and for a branch, against figures worked out by hand.

The hand-built marts are in ``marts.py``; each expected number below is derived from those
rows in the comment next to it.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from lifelong.accounts.models import Role
from lifelong.foundation.semantic.scope import Scope
from tests.foundation.semantic.helpers import ALL_METRICS, ask, table

# Per month, Jan-Mar 2026, every branch:
HQ_BY_MONTH = {
    # learners registered by each month's end: L1 L2 L3 | +L4 L6 | +L5
    "learners_served": [3, 5, 6],
    # distinct learners active in the month: {1,2,3} {1,3,4} {4,5,6}
    "active_learners": [3, 3, 3],
    "new_registrations": [2, 2, 1],  # L2 L3 | L4 L6 | L5
    "enrolments": [3, 2, 1],  # E1 E2 E3 | E4 E5 | E6 (E7 was in December)
    "completions": [2, 1, 1],  # E2 E7 | E1 | E4 (by completion day)
    "completion_rate": [2 / 3, 1 / 2, 1.0],
    "learning_hours": [7200 / 3600, 9600 / 3600, 3900 / 3600],
    "resource_views": [7, 7, 4],
    "certificates_issued": [2, 1, 2],  # C1 C5 | C2 | C3 C4
    "credits_earned": [3.5, 2.0, 3.0],  # E2 0.5 + E7 3 | E1 2 | E4 3
}
# The same for branch BJ only (learners 1, 2 and 6):
BJ_BY_MONTH = {
    "learners_served": [2, 3, 3],
    "active_learners": [2, 1, 1],
    "new_registrations": [1, 1, 0],
    "enrolments": [2, 0, 0],
    "completions": [2, 1, 0],
    "completion_rate": [1.0, None, None],  # no enrolments in Feb and Mar: empty, not 0
    "learning_hours": [6600 / 3600, 600 / 3600, 300 / 3600],
    "resource_views": [6, 1, 1],
    "certificates_issued": [2, 1, 1],
    "credits_earned": [3.5, 2.0, 0.0],
}
MONTHS = [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]


def _by_month(result_rows: list[dict[str, object]]) -> dict[str, list[object]]:
    assert [row["month"] for row in result_rows] == MONTHS
    return {m: [row[m] for row in result_rows] for m in ALL_METRICS}


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        (Scope.everything(), HQ_BY_MONTH),
        (Scope.everything(Role.analyst), HQ_BY_MONTH),
        (Scope.branch("BJ"), BJ_BY_MONTH),
        (Scope.branch("BJ", Role.teacher), BJ_BY_MONTH),
    ],
)
def test_every_metric_by_month(
    marts: duckdb.DuckDBPyConnection, scope: Scope, expected: dict[str, list[object]]
) -> None:
    result = ask(marts, scope, metrics=ALL_METRICS, granularity="month")
    assert [c.name for c in result.columns] == ["month", *ALL_METRICS]
    got = _by_month(table(result))
    for metric, values in expected.items():
        assert got[metric] == pytest.approx(values), metric


def test_distinct_learners_are_not_summed_over_months(marts: duckdb.DuckDBPyConnection) -> None:
    # Monthly actives add up to 9, but only six different people were active in the quarter.
    whole = table(ask(marts, metrics=["active_learners"]))
    assert whole == [{"active_learners": 6}]
    bj = table(ask(marts, Scope.branch("BJ"), metrics=["active_learners"]))
    assert bj == [{"active_learners": 3}]  # learners 1, 2, 6


def test_daily_and_weekly_active_learners(marts: duckdb.DuckDBPyConnection) -> None:
    feb = {"start": "2026-02-01", "end": "2026-02-28"}
    daily = table(ask(marts, metrics=["active_learners"], granularity="day", time_range=feb))
    assert daily == [
        {"day": date(2026, 2, 2), "active_learners": 1},
        {"day": date(2026, 2, 10), "active_learners": 2},
    ]
    march = {"start": "2026-03-01", "end": "2026-03-31"}
    weekly = table(ask(marts, metrics=["active_learners"], granularity="week", time_range=march))
    # Week of Mon 2 March: learners 4 and 5 (4 twice: counted once); week of 30 March: 6.
    assert weekly == [
        {"week": date(2026, 3, 2), "active_learners": 2},
        {"week": date(2026, 3, 30), "active_learners": 1},
    ]


def test_learners_served_counts_everyone_registered_before_the_range(
    marts: duckdb.DuckDBPyConnection,
) -> None:
    # Learner 1 registered in December 2025, before the range: still served in January.
    january = {"start": "2026-01-01", "end": "2026-01-31"}
    rows = table(ask(marts, metrics=["learners_served", "new_registrations"], time_range=january))
    assert rows == [{"learners_served": 3, "new_registrations": 2}]
    # A quarter-grain cumulative figure is its value at the range's end, not the sum.
    by_quarter = table(ask(marts, metrics=["learners_served"], granularity="quarter"))
    assert by_quarter == [{"quarter": date(2026, 1, 1), "learners_served": 6}]


def test_region_groups_branches_through_dim_branch(marts: duckdb.DuckDBPyConnection) -> None:
    rows = table(
        ask(
            marts,
            metrics=["enrolments", "active_learners", "learners_served"],
            dimensions=["region"],
        )
    )
    assert rows == [
        # SH: E4 E6; learners 4, 5 active; 2 registered by 31 March
        {"region": "East China", "enrolments": 2, "active_learners": 2, "learners_served": 2},
        # BJ + TJ: E1 E2 E3 E5; learners 1, 2, 3, 6 active and registered
        {"region": "North China", "enrolments": 4, "active_learners": 4, "learners_served": 4},
    ]


def test_metrics_from_different_marts_join_on_resource_type(
    marts: duckdb.DuckDBPyConnection,
) -> None:
    rows = table(
        ask(
            marts,
            metrics=["enrolments", "certificates_issued", "completion_rate"],
            dimensions=["resource_type"],
        )
    )
    assert rows == [
        # course: E1 E3 E4 E5 E6 enrolled; E1 E4 and E7 (enrolled in December) completed
        # in the range; certificates C2 C3 C5
        {
            "resource_type": "course",
            "enrolments": 5,
            "certificates_issued": 3,
            "completion_rate": pytest.approx(3 / 5),
        },
        # micro_lesson: E2 enrolled and completed, certificate C1
        {
            "resource_type": "micro_lesson",
            "enrolments": 1,
            "certificates_issued": 1,
            "completion_rate": 1.0,
        },
        # C4 is a programme certificate (no resource): counted under an empty type
        {"resource_type": None, "enrolments": 0, "certificates_issued": 1, "completion_rate": None},
    ]


def test_subject_hierarchy_and_filters_on_resource_dimensions(
    marts: duckdb.DuckDBPyConnection,
) -> None:
    rows = table(
        ask(
            marts,
            metrics=["resource_views", "learning_hours"],
            dimensions=["discipline", "subject"],
            filters=[{"dimension": "resource_format", "op": "eq", "value": "video"}],
        )
    )
    assert rows == [
        # 101 (S1, D1): views 2+1+1+2+1 = 7; seconds 1800+1200+600+1800+900 = 6300
        {"discipline": "D1", "subject": "S1", "resource_views": 7, "learning_hours": 1.75},
        # 103 (S3, D2): views 4+1+1 = 6; seconds 7200+1800+900 = 9900
        {"discipline": "D2", "subject": "S3", "resource_views": 6, "learning_hours": 2.75},
    ]


def test_pre_aggregated_and_fact_paths_agree(marts: duckdb.DuckDBPyConnection) -> None:
    # By branch the agg_branch_day mart answers; by resource type the facts do. The totals
    # over every type must equal the totals over every branch.
    additive = [
        "enrolments",
        "completions",
        "learning_hours",
        "resource_views",
        "certificates_issued",
        "credits_earned",
    ]
    by_branch = table(ask(marts, metrics=additive, dimensions=["branch"]))
    by_type = table(ask(marts, metrics=additive, dimensions=["resource_type"]))
    assert "agg_branch_day" in ask(marts, metrics=additive, dimensions=["branch"]).sql
    assert "agg_branch_day" not in ask(marts, metrics=additive, dimensions=["resource_type"]).sql
    for metric in additive:
        assert sum(r[metric] for r in by_branch) == pytest.approx(
            sum(r[metric] for r in by_type)
        ), metric


def test_learner_attributes_for_headquarters(marts: duckdb.DuckDBPyConnection) -> None:
    rows = table(
        ask(marts, Scope.everything(Role.analyst), metrics=["enrolments"], dimensions=["age_band"])
    )
    # E1 E3 E5 (learners 1, 3) | E2 E6 (2, 5) | E4 (4)
    assert rows == [
        {"age_band": "18-29", "enrolments": 3},
        {"age_band": "30-44", "enrolments": 2},
        {"age_band": "45-59", "enrolments": 1},
    ]


def test_the_default_time_range_is_said_and_used(marts: duckdb.DuckDBPyConnection) -> None:
    result = ask(marts, metrics=["enrolments"], time_range=None)
    # today is 31 March 2026 in these tests: April 2025 to 31 March 2026
    assert (result.time_range.start, result.time_range.end) == (date(2025, 4, 1), date(2026, 3, 31))
    assert table(result) == [{"enrolments": 7}]  # E7 in December 2025 is inside it


def test_month_as_a_dimension_is_the_granularity(marts: duckdb.DuckDBPyConnection) -> None:
    result = ask(marts, metrics=["enrolments"], dimensions=["month", "branch"])
    assert result.granularity == "month"
    assert table(result)[:2] == [
        {"month": date(2026, 1, 1), "branch": "BJ", "enrolments": 2},  # E1 E2
        {"month": date(2026, 1, 1), "branch": "TJ", "enrolments": 1},  # E3
    ]


def test_a_long_answer_is_cut_at_max_rows_and_says_so(marts: duckdb.DuckDBPyConnection) -> None:
    from lifelong.config import SemanticSettings, Settings
    from lifelong.foundation.semantic.schemas import MetricQuery
    from lifelong.foundation.semantic.service import query

    request = MetricQuery.model_validate(
        {"metrics": ["active_learners"], "granularity": "day",
         "time_range": {"start": "2026-01-01", "end": "2026-03-31"}}
    )  # fmt: skip
    capped = query(Settings(semantic=SemanticSettings(max_rows=3)), request, Scope.everything(),
                   marts)  # fmt: skip
    assert capped.truncated is True
    assert [row[0] for row in capped.rows] == [
        date(2026, 1, 5),
        date(2026, 1, 6),
        date(2026, 1, 12),
    ]
    whole = query(Settings(), request, Scope.everything(), marts)
    assert whole.truncated is False
    assert len(whole.rows) == 9  # the nine distinct active days
