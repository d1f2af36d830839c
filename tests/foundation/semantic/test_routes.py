"""The HTTP API: authentication, row scope, every 400, both languages of the catalogue."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.foundation.semantic.helpers import ALL_METRICS, Q1

QUERY = "/api/v1/metrics/query"


def post(api: TestClient, headers: dict[str, str], **body: Any) -> Any:
    """POST a metrics query; the response."""
    body.setdefault("time_range", Q1)
    return api.post(QUERY, json=body, headers=headers)


def test_columns_come_first_with_labels_in_the_askers_language(
    api: TestClient, headers: dict[str, dict[str, str]]
) -> None:
    response = post(
        api,
        {**headers["hq"], "Accept-Language": "zh-CN"},
        metrics=["enrolments", "completion_rate"],
        dimensions=["region"],
        granularity="month",
    )
    assert response.status_code == 200, response.text
    answer = response.json()
    assert list(answer)[:2] == ["columns", "rows"]
    assert answer["columns"] == [
        {"name": "month", "type": "date", "label": "月"},
        {"name": "region", "type": "string", "label": "区域"},
        {"name": "enrolments", "type": "integer", "label": "选课人次"},
        {"name": "completion_rate", "type": "number", "label": "完成率"},
    ]
    assert answer["rows"][0] == ["2026-01-01", "North China", 3, pytest.approx(2 / 3)]
    assert answer["scope"] == {"role": "hq_admin", "branches": None}
    assert answer["sql"].startswith("WITH ")
    english = post(api, {**headers["hq"], "Accept-Language": "en"}, metrics=["enrolments"])
    assert english.json()["columns"] == [
        {"name": "enrolments", "type": "integer", "label": "Enrolments"}
    ]


def test_every_metric_answers_for_a_branch_over_http(
    api: TestClient, headers: dict[str, dict[str, str]]
) -> None:
    response = post(api, headers["bj"], metrics=ALL_METRICS)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["scope"] == {"role": "branch_admin", "branches": ["BJ"]}
    # BJ over the quarter: 3 served, learners 1 2 6 active, 2 new, E1 E2, E1 E2 E7 done ...
    assert answer["rows"] == [[3, 3, 2, 2, 3, 1.5, pytest.approx(7500 / 3600), 8, 4, 5.5]]


@pytest.mark.parametrize(
    "filters",
    [
        [{"dimension": "branch", "op": "eq", "value": "SH"}],
        [{"dimension": "branch", "op": "in", "value": ["SH", "TJ"]}],
        [{"dimension": "region", "op": "eq", "value": "East China"}],
        [{"dimension": "branch", "op": "ne", "value": "BJ"}],
    ],
)
def test_a_branch_user_cannot_filter_their_way_into_another_branch(
    api: TestClient, headers: dict[str, dict[str, str]], filters: list[dict[str, Any]]
) -> None:
    response = post(api, headers["bj"], metrics=ALL_METRICS, dimensions=["branch"], filters=filters)
    assert response.status_code == 200, response.text
    assert response.json()["rows"] == []


def test_a_branch_users_own_filter_still_works(
    api: TestClient, headers: dict[str, dict[str, str]]
) -> None:
    response = post(
        api,
        headers["sh_teacher"],
        metrics=["enrolments"],
        dimensions=["branch"],
        filters=[{"dimension": "branch", "op": "in", "value": ["SH", "BJ"]}],
    )
    assert response.json()["rows"] == [["SH", 2]]


def test_sign_in_is_needed_and_learners_are_refused(
    api: TestClient, headers: dict[str, dict[str, str]]
) -> None:
    assert post(api, {}, metrics=["enrolments"]).status_code == 401
    refused = post(api, headers["learner"], metrics=["enrolments"])
    assert refused.status_code == 403
    assert refused.json()["error"] == "Learners cannot query the metrics API."
    assert api.get("/api/v1/metrics", headers=headers["learner"]).status_code == 403


@pytest.mark.parametrize(
    ("who", "body", "reason", "name"),
    [
        ("hq", {"metrics": ["enrolments", "dropouts"]}, "unknown_metric", "dropouts"),
        (
            "hq",
            {"metrics": ["enrolments"], "dimensions": ["planet"]},
            "unknown_dimension",
            "planet",
        ),
        (
            "hq",
            {
                "metrics": ["enrolments"],
                "filters": [{"dimension": "colour", "op": "eq", "value": "x"}],
            },
            "unknown_dimension",
            "colour",
        ),
        (
            "bj",
            {"metrics": ["enrolments"], "dimensions": ["age_band"]},
            "dimension_not_visible",
            "age_band",
        ),
        (
            "bj",
            {
                "metrics": ["enrolments"],
                "filters": [{"dimension": "occupation", "op": "eq", "value": "nurse"}],
            },
            "dimension_not_visible",
            "occupation",
        ),
        (
            "hq",
            {"metrics": ["enrolments"], "dimensions": ["learner"]},
            "dimension_not_visible",
            "learner",
        ),
        (
            "hq",
            {"metrics": ["learners_served"], "dimensions": ["resource_type"]},
            "not_combinable",
            "resource_type",
        ),
        (
            "hq",
            {
                "metrics": ["active_learners"],
                "filters": [{"dimension": "subject", "op": "eq", "value": "S1"}],
            },
            "not_combinable",
            "subject",
        ),
        (
            "hq",
            {
                "metrics": ["enrolments"],
                "filters": [{"dimension": "branch", "op": "eq", "value": 7}],
            },
            "bad_filter_value",
            "branch",
        ),
        (
            "hq",
            {
                "metrics": ["enrolments"],
                "filters": [{"dimension": "branch", "op": "eq", "value": "BJ\u0000"}],
            },
            "bad_filter_value",
            "branch",
        ),
        (
            "hq",
            {
                "metrics": ["enrolments"],
                "filters": [{"dimension": "month", "op": "eq", "value": "2026-01-01"}],
            },
            "time_filter",
            "month",
        ),
        (
            "hq",
            {"metrics": ["enrolments"], "dimensions": ["day"], "granularity": "month"},
            "granularity_conflict",
            "day",
        ),
        ("hq", {"metrics": ["enrolments", "enrolments"]}, "duplicate", "enrolments"),
    ],
)
def test_each_bad_query_is_a_400_naming_the_culprit(
    api: TestClient,
    headers: dict[str, dict[str, str]],
    who: str,
    body: dict[str, Any],
    reason: str,
    name: str,
) -> None:
    response = post(api, headers[who], **body)
    assert response.status_code == 400, response.text
    answer = response.json()
    assert answer["detail"] == {"reason": reason, "name": name}
    assert name in answer["error"]


@pytest.mark.parametrize(
    ("body", "named"),
    [
        (
            {
                "metrics": ["enrolments"],
                "filters": [{"dimension": "branch", "op": "like", "value": "B%"}],
            },
            "op",
        ),
        (
            {
                "metrics": ["enrolments"],
                "filters": [{"dimension": "branch", "op": "in", "value": "BJ"}],
            },
            "non-empty list",
        ),
        (
            {
                "metrics": ["enrolments"],
                "filters": [{"dimension": "branch", "op": "eq", "value": "BJ", "or": "1=1"}],
            },
            "or",
        ),
        ({"metrics": ["enrolments"], "granularity": "decade"}, "granularity"),
        (
            {"metrics": ["enrolments"], "time_range": {"start": "2026-03-01", "end": "2026-01-01"}},
            "before",
        ),
        (
            {"metrics": ["enrolments"], "time_range": {"start": "2026-13-01", "end": "2026-12-31"}},
            "start",
        ),
        ({"metrics": []}, "metrics"),
        ({"metrics": ["enrolments"], "limit": 5}, "limit"),
    ],
)
def test_malformed_bodies_are_400_saying_what_is_wrong(
    api: TestClient, headers: dict[str, dict[str, str]], body: dict[str, Any], named: str
) -> None:
    response = api.post(QUERY, json={"time_range": Q1, **body}, headers=headers["hq"])
    assert response.status_code == 400, response.text
    assert named in response.json()["error"]


def test_the_catalogue_lists_metrics_and_dimensions_in_both_languages(
    api: TestClient, headers: dict[str, dict[str, str]]
) -> None:
    metrics = {m["id"]: m for m in api.get("/api/v1/metrics", headers=headers["bj"]).json()}
    assert set(metrics) == set(ALL_METRICS)
    rate = metrics["completion_rate"]
    assert rate["name"] == {"zh": "完成率", "en": "Completion rate"}
    assert (rate["numerator"], rate["denominator"]) == ("completions", "enrolments")
    assert "MAU" in metrics["active_learners"]["synonyms"]["en"]
    assert "日活" in metrics["active_learners"]["synonyms"]["zh"]
    assert "resource_type" not in metrics["learners_served"]["dimensions"]
    assert "resource_type" in metrics["enrolments"]["dimensions"]

    for who, sees_age in (("hq", True), ("bj", False)):
        listed = api.get("/api/v1/dimensions", headers=headers[who]).json()
        dimensions = {d["id"]: d for d in listed}
        assert dimensions["age_band"]["visible"] is sees_age
        assert dimensions["learner"]["visible"] is False
        assert dimensions["region"]["name"] == {"zh": "区域", "en": "Region"}
        assert dimensions["branch"]["parent"] == "region"
        assert dimensions["month"]["kind"] == "time"
        assert dimensions["month"]["parent"] == "quarter"


def test_the_query_is_documented_in_openapi(api: TestClient) -> None:
    schema = api.get("/api/openapi.json").json()
    assert "/api/v1/metrics/query" in schema["paths"]
    query_filter = schema["components"]["schemas"]["QueryFilter"]
    assert query_filter["additionalProperties"] is False
    assert set(query_filter["properties"]["op"]["enum"]) == {
        "eq",
        "ne",
        "in",
        "not_in",
        "gt",
        "gte",
        "lt",
        "lte",
    }
