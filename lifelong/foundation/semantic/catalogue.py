"""The semantic layer's catalogue: ``semantic.yaml`` loaded and validated with pydantic.

Every rule the compiler relies on is checked here, at load time, so a broken file stops the
application at start-up with a message naming the entry and the rule — never a 500 later.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from lifelong.accounts.models import Role

SEMANTIC_YAML = Path(__file__).with_name("semantic.yaml")
SNAKE_CASE = r"^[a-z][a-z0-9_]*$"
# Marts of contract C5 (docs/contracts.md) and the columns the catalogue may name.
C5_COLUMNS: dict[str, frozenset[str]] = {
    "dim_branch": frozenset({"branch_code", "name_zh", "name_en", "kind", "region", "province"}),
    "dim_date": frozenset({"day", "week", "month", "quarter", "year"}),
    "dim_resource": frozenset(
        [
            "resource_id",
            "title",
            "resource_type",
            "resource_level",
            "resource_format",
            "language",
            "subject_code",
            "subject_name_zh",
            "subject_name_en",
            "discipline_code",
            "discipline_name_zh",
            "discipline_name_en",
            "provider_code",
            "credits",
        ]
    ),
    "dim_learner": frozenset(
        [
            "learner_id",
            "branch_code",
            "registered_on",
            "age_band",
            "gender",
            "occupation",
            "education",
            "province",
        ]
    ),
    "fct_learner_day": frozenset(
        ["day", "learner_id", "branch_code", "statements", "learning_seconds", "resources"]
    ),
    "fct_learner_week": frozenset(
        ["week", "learner_id", "branch_code", "active_days", "statements", "learning_seconds"]
    ),
    "fct_learner_month": frozenset(
        ["month", "learner_id", "branch_code", "active_days", "statements", "learning_seconds"]
    ),
    "fct_resource_day": frozenset(
        [
            "day",
            "resource_id",
            "branch_code",
            "views",
            "learners",
            "learning_seconds",
            "completions",
        ]
    ),
    "fct_enrolment": frozenset(
        [
            "registration",
            "learner_id",
            "resource_id",
            "branch_code",
            "enrolled_on",
            "completed_on",
            "withdrawn_on",
            "status",
            "credits_earned",
        ]
    ),
    "fct_certificate": frozenset(
        ["certificate_id", "learner_id", "branch_code", "resource_id", "issued_on", "credits"]
    ),
    "agg_branch_day": frozenset(
        [
            "day",
            "branch_code",
            "active_learners",
            "new_registrations",
            "enrolments",
            "completions",
            "learning_seconds",
            "resource_views",
            "certificates_issued",
            "credits_earned",
        ]
    ),
}


class CatalogueError(Exception):
    """``semantic.yaml`` breaks a rule; the message names the file, the entry and the rule."""


class Strict(BaseModel):
    """Unknown keys in the YAML are mistakes (a typo would silently drop a setting)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Strict):
    """A string in both shipped languages."""

    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, locale: str) -> str:
        """The text in ``locale`` (Chinese for any ``zh*`` locale, else English)."""
        return self.zh if locale.startswith("zh") else self.en


class Synonyms(Strict):
    """Other words people use for the same thing, per language (the Data Query agent's)."""

    zh: list[str] = Field(default_factory=list)
    en: list[str] = Field(default_factory=list)


class Entity(Strict):
    """A thing facts are about, with the mart holding its attributes."""

    id: str = Field(pattern=SNAKE_CASE)
    name: Text
    description: Text
    mart: str
    key: str


class Mart(Strict):
    """A mart metrics are computed from: its branch column and its foreign keys."""

    id: str
    branch_column: str
    entity: str | None = None  # the mart *is* this entity's mart (dim_learner)
    joins: dict[str, str] = Field(default_factory=dict)  # entity id -> foreign-key column


DimensionType = Literal["string", "integer", "date"]


class TimeDimension(Strict):
    """A calendar grain of ``marts.dim_date``."""

    id: str = Field(pattern=SNAKE_CASE)
    name: Text
    description: Text
    synonyms: Synonyms = Field(default_factory=Synonyms)
    column: str
    type: DimensionType
    parent: str | None = None


class Dimension(Strict):
    """An attribute of an entity that a metric can be grouped or filtered by."""

    id: str = Field(pattern=SNAKE_CASE)
    name: Text
    description: Text
    synonyms: Synonyms = Field(default_factory=Synonyms)
    entity: str
    column: str
    type: DimensionType
    parent: str | None = None
    visible_to: list[Role]


class Source(Strict):
    """One way of computing a metric: a mart, its time column and an aggregation."""

    mart: str
    time_column: str
    aggregation: Literal["sum", "count", "count_distinct"]
    column: str | None = None
    # A mart pre-aggregated to one time grain (fct_learner_month: one row per learner and
    # month) answers only at that grain and over whole periods: a distinct count over a
    # month cannot be split into days or summed into quarters. None: rows are days.
    grain: str | None = None

    @model_validator(mode="after")
    def _column_when_needed(self) -> Source:
        if self.aggregation != "count" and not self.column:
            raise ValueError(f"aggregation {self.aggregation} needs a column")
        return self


Behaviour = Literal["additive", "distinct", "cumulative", "ratio"]


class Metric(Strict):
    """A governed number: its meaning in both languages, unit, behaviour over time, sources."""

    id: str = Field(pattern=SNAKE_CASE)
    name: Text
    description: Text
    unit: Text
    synonyms: Synonyms = Field(default_factory=Synonyms)
    behaviour: Behaviour
    sources: list[Source] = Field(default_factory=list)
    type: Literal["integer", "number"]
    numerator: str | None = None
    denominator: str | None = None
    divisor: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _shape_fits_behaviour(self) -> Metric:
        if self.behaviour == "ratio":
            if not (self.numerator and self.denominator) or self.sources:
                raise ValueError("a ratio metric has numerator and denominator and no sources")
        else:
            if not self.sources:
                raise ValueError(f"a {self.behaviour} metric needs at least one source")
            if self.numerator or self.denominator:
                raise ValueError("only ratio metrics have numerator/denominator")
        if self.sources and self.sources[-1].grain is not None:
            raise ValueError("a metric's last source is by day (the fallback for any grain)")
        if self.behaviour == "cumulative" and any(s.grain for s in self.sources):
            raise ValueError("a cumulative metric is summed by day: its sources have no grain")
        if self.behaviour == "distinct" and any(
            s.aggregation != "count_distinct" for s in self.sources
        ):
            raise ValueError("a distinct metric aggregates with count_distinct")
        if self.behaviour != "distinct" and any(
            s.aggregation == "count_distinct" for s in self.sources
        ):
            raise ValueError("count_distinct is only for distinct metrics (it cannot be summed)")
        return self


class SemanticModel(Strict):
    """The whole catalogue, cross-checked: every reference resolves, every column is in C5."""

    version: Literal[1]
    entities: list[Entity]
    marts: list[Mart]
    time_dimensions: list[TimeDimension]
    dimensions: list[Dimension]
    metrics: list[Metric]

    @model_validator(mode="after")
    def _references_resolve(self) -> SemanticModel:
        _unique("entity", [e.id for e in self.entities])
        _unique("mart", [m.id for m in self.marts])
        _unique("dimension", [d.id for d in self.dimensions] + [t.id for t in self.time_dimensions])
        _unique("metric", [m.id for m in self.metrics])
        entities = {e.id: e for e in self.entities}
        marts = {m.id: m for m in self.marts}
        for entity in self.entities:
            _column(entity.mart, entity.key, f"entity {entity.id}")
        for mart in self.marts:
            _column(mart.id, mart.branch_column, f"mart {mart.id}")
            if mart.entity is not None and mart.entity not in entities:
                raise ValueError(f"mart {mart.id}: unknown entity {mart.entity!r}")
            for entity_id, column in mart.joins.items():
                if entity_id not in entities:
                    raise ValueError(f"mart {mart.id}: joins unknown entity {entity_id!r}")
                _column(mart.id, column, f"mart {mart.id}")
        for grain in self.time_dimensions:
            _column("dim_date", grain.column, f"time dimension {grain.id}")
        _acyclic("time dimension", {t.id: t.parent for t in self.time_dimensions})
        for dimension in self.dimensions:
            owner = entities.get(dimension.entity)
            if owner is None:
                raise ValueError(f"dimension {dimension.id}: unknown entity {dimension.entity!r}")
            _column(owner.mart, dimension.column, f"dimension {dimension.id}")
        _acyclic("dimension", {d.id: d.parent for d in self.dimensions})
        grains = {t.id for t in self.time_dimensions}
        metric_ids = {m.id: m for m in self.metrics}
        for metric in self.metrics:
            for source in metric.sources:
                where = f"metric {metric.id}"
                if source.mart not in marts:
                    raise ValueError(f"{where}: source mart {source.mart!r} is not in marts")
                _column(source.mart, source.time_column, where)
                if source.grain is not None and source.grain not in grains:
                    raise ValueError(f"{where}: source grain {source.grain!r} is not a time grain")
                if source.column:
                    _column(source.mart, source.column, where)
            for part in (metric.numerator, metric.denominator):
                if part is None:
                    continue
                if part not in metric_ids:
                    raise ValueError(f"metric {metric.id}: unknown metric {part!r} in the ratio")
                if metric_ids[part].behaviour != "additive":
                    raise ValueError(
                        f"metric {metric.id}: a ratio's parts must be additive ({part} is not)"
                    )
        return self


def _unique(kind: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            raise ValueError(f"{kind} id {item!r} is defined twice")
        seen.add(item)


def _column(mart: str, column: str, where: str) -> None:
    if mart not in C5_COLUMNS:
        raise ValueError(f"{where}: {mart!r} is not a mart of contract C5")
    if column not in C5_COLUMNS[mart]:
        raise ValueError(f"{where}: column {column!r} is not in marts.{mart} (contract C5)")


def _acyclic(kind: str, parents: dict[str, str | None]) -> None:
    for start in parents:
        seen = {start}
        node = parents[start]
        while node is not None:
            if node not in parents:
                raise ValueError(f"{kind} {start}: unknown parent {node!r}")
            if node in seen:
                raise ValueError(f"{kind} {start}: its hierarchy has a cycle through {node!r}")
            seen.add(node)
            node = parents[node]


def parse(text: str, origin: str = "semantic.yaml") -> SemanticModel:
    """Validate a catalogue's YAML text; raise ``CatalogueError`` saying what is wrong."""
    try:
        # libyaml's C loader when the wheel has it: 7x faster at start-up than pure Python.
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        raise CatalogueError(f"{origin} is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise CatalogueError(f"{origin} must hold a mapping at the top level")
    try:
        return SemanticModel.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(top)'}: {_clean(err['msg'])}"
            for err in exc.errors()
        )
        raise CatalogueError(f"{origin} is invalid: {problems}") from None


def _clean(message: str) -> str:
    return re.sub(r"^Value error, ", "", message)


def load(path: Path = SEMANTIC_YAML) -> SemanticModel:
    """Read and validate a catalogue file."""
    return parse(path.read_text(encoding="utf-8"), origin=str(path))


@cache
def catalogue(path: Path | None = None) -> Catalogue:
    """The catalogue at ``path`` (default: the packaged one), loaded once per process."""
    return Catalogue(load(path or SEMANTIC_YAML))


class Catalogue:
    """The validated model with look-ups by id."""

    def __init__(self, model: SemanticModel):
        self.model = model
        self.entities = {e.id: e for e in model.entities}
        self.marts = {m.id: m for m in model.marts}
        self.grains = {t.id: t for t in model.time_dimensions}
        self.dimensions = {d.id: d for d in model.dimensions}
        self.metrics = {m.id: m for m in model.metrics}
