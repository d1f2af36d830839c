"""``semantic.yaml`` is validated at load: each rule has a case that breaks it."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from lifelong.app import create_app
from lifelong.config import SemanticSettings, Settings
from lifelong.foundation.semantic.catalogue import SEMANTIC_YAML, CatalogueError, load, parse

PACKAGED: dict[str, Any] = yaml.safe_load(SEMANTIC_YAML.read_text(encoding="utf-8"))
ISSUE_METRICS = {
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
}


def _item(data: dict[str, Any], section: str, item_id: str) -> dict[str, Any]:
    return next(item for item in data[section] if item["id"] == item_id)


def test_the_packaged_catalogue_is_valid_and_complete() -> None:
    model = load()
    assert {m.id for m in model.metrics} == ISSUE_METRICS
    dimension_ids = {d.id for d in model.dimensions} | {t.id for t in model.time_dimensions}
    assert {
        "branch",
        "region",
        "resource_type",
        "resource_level",
        "subject",
        "day",
        "week",
        "month",
        "quarter",
        "year",
    } <= dimension_ids
    for item in [*model.metrics, *model.dimensions, *model.time_dimensions]:
        assert item.name.zh and item.name.en and item.description.zh and item.description.en
        assert item.synonyms.zh and item.synonyms.en, item.id
    for metric in model.metrics:
        assert metric.unit.zh and metric.unit.en


def _mutate(change: Callable[[dict[str, Any]], None]) -> str:
    data = copy.deepcopy(PACKAGED)
    change(data)
    return yaml.safe_dump(data, allow_unicode=True)


CASES: list[tuple[str, Callable[[dict[str, Any]], None], str]] = [
    ("unknown key", lambda d: _item(d, "metrics", "enrolments").update(colour="red"), "colour"),
    (
        "missing English name",
        lambda d: _item(d, "metrics", "enrolments")["name"].pop("en"),
        "name.en",
    ),
    (
        "id not snake_case",
        lambda d: _item(d, "metrics", "enrolments").update(id="Enrolments"),
        "pattern",
    ),
    (
        "metric twice",
        lambda d: d["metrics"].append(copy.deepcopy(d["metrics"][0])),
        "metric id 'learners_served' is defined twice",
    ),
    (
        "dimension id = time grain",
        lambda d: _item(d, "dimensions", "region").update(id="month"),
        "dimension id 'month' is defined twice",
    ),
    (
        "entity key not in C5",
        lambda d: _item(d, "entities", "branch").update(key="code"),
        "column 'code' is not in marts.dim_branch",
    ),
    (
        "mart not in C5",
        lambda d: d["marts"].append({"id": "fct_clicks", "branch_column": "branch_code"}),
        "'fct_clicks' is not a mart",
    ),
    (
        "join to unknown entity",
        lambda d: d["marts"][0]["joins"].update(teacher="branch_code"),
        "joins unknown entity 'teacher'",
    ),
    (
        "dimension of unknown entity",
        lambda d: _item(d, "dimensions", "region").update(entity="planet"),
        "unknown entity",
    ),
    (
        "dimension column not in its mart",
        lambda d: _item(d, "dimensions", "region").update(column="continent"),
        "column 'continent' is not in marts.dim_branch",
    ),
    (
        "unknown parent",
        lambda d: _item(d, "dimensions", "branch").update(parent="galaxy"),
        "unknown parent 'galaxy'",
    ),
    (
        "hierarchy cycle",
        lambda d: _item(d, "dimensions", "region").update(parent="branch"),
        "cycle",
    ),
    (
        "time hierarchy cycle",
        lambda d: _item(d, "time_dimensions", "year").update(parent="day"),
        "cycle",
    ),
    (
        "unknown role",
        lambda d: _item(d, "dimensions", "region")["visible_to"].append("guest"),
        "visible_to",
    ),
    (
        "source mart not declared",
        lambda d: _item(d, "metrics", "enrolments")["sources"][0].update(mart="dim_resource"),
        "source mart 'dim_resource' is not in marts",
    ),
    (
        "source column not in C5",
        lambda d: _item(d, "metrics", "resource_views")["sources"][1].update(column="clicks"),
        "column 'clicks' is not in marts.fct_resource_day",
    ),
    (
        "sum without column",
        lambda d: _item(d, "metrics", "resource_views")["sources"][1].pop("column"),
        "aggregation sum needs a column",
    ),
    (
        "ratio without denominator",
        lambda d: _item(d, "metrics", "completion_rate").pop("denominator"),
        "numerator and denominator",
    ),
    (
        "ratio of an unknown metric",
        lambda d: _item(d, "metrics", "completion_rate").update(denominator="dropouts"),
        "unknown metric 'dropouts'",
    ),
    (
        "ratio of a distinct metric",
        lambda d: _item(d, "metrics", "completion_rate").update(denominator="active_learners"),
        "must be additive",
    ),
    (
        "distinct metric summed",
        lambda d: _item(d, "metrics", "active_learners")["sources"][0].update(aggregation="sum"),
        "a distinct metric aggregates with count_distinct",
    ),
    (
        "additive metric counted distinct",
        lambda d: _item(d, "metrics", "enrolments")["sources"][1].update(
            aggregation="count_distinct", column="learner_id"
        ),
        "cannot be summed",
    ),
    (
        "no sources",
        lambda d: _item(d, "metrics", "enrolments").update(sources=[]),
        "needs at least one source",
    ),
    (
        "unknown behaviour",
        lambda d: _item(d, "metrics", "enrolments").update(behaviour="avg"),
        "behaviour",
    ),
]


@pytest.mark.parametrize(("rule", "change", "message"), CASES, ids=[c[0] for c in CASES])
def test_each_rule_rejects_a_broken_catalogue(
    rule: str, change: Callable[[dict[str, Any]], None], message: str
) -> None:
    with pytest.raises(CatalogueError) as caught:
        parse(_mutate(change))
    assert message in str(caught.value), str(caught.value)
    assert "semantic.yaml is invalid" in str(caught.value)


def test_yaml_that_does_not_parse_is_reported() -> None:
    with pytest.raises(CatalogueError, match="not valid YAML"):
        parse("metrics: [unclosed")
    with pytest.raises(CatalogueError, match="mapping at the top level"):
        parse("- just\n- a list\n")


def test_a_broken_catalogue_stops_the_app_at_start_up(tmp_path: Path) -> None:
    broken = tmp_path / "semantic.yaml"
    broken.write_text(_mutate(lambda d: _item(d, "dimensions", "region").update(column="x")))
    settings = Settings(
        data_dir=tmp_path, secret_key="k", semantic=SemanticSettings(catalogue_path=broken)
    )
    with pytest.raises(CatalogueError, match=r"column 'x' is not in marts\.dim_branch"):
        create_app(settings)
