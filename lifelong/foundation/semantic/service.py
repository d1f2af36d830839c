"""The semantic layer's service: answer a metrics query, list the catalogue (no HTTP here).

Every outlet calls ``query(settings, request, scope, connection)`` in process — the data
interfaces, the cockpit and the Data Query agent — so no outlet writes its own metric SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from lifelong.config import Settings
from lifelong.foundation.semantic.catalogue import Catalogue, catalogue
from lifelong.foundation.semantic.compiler import compile_plan
from lifelong.foundation.semantic.planner import Plan, plan, reaches
from lifelong.foundation.semantic.schemas import (
    ColumnRead,
    DimensionRead,
    LocalisedText,
    MetricQuery,
    MetricRead,
    QueryResult,
    ScopeRead,
    SynonymsRead,
    TimeRange,
)
from lifelong.foundation.semantic.scope import Scope

ENGINE_DIALECT = "duckdb"  # the embedded engine; Spark gets the same tree as dialect "spark"


@dataclass(frozen=True)
class Result:
    """A query's answer: columns (time, dimensions, metrics), rows, the SQL and the scope."""

    columns: list[ColumnRead]
    rows: list[list[Any]]
    sql: str
    scope: Scope
    time_range: TimeRange
    granularity: str | None
    truncated: bool

    def read(self) -> QueryResult:
        """The API shape."""
        return QueryResult(
            columns=self.columns,
            rows=self.rows,
            sql=self.sql,
            scope=ScopeRead.model_validate(self.scope.describe()),
            time_range=self.time_range,
            granularity=self.granularity,  # type: ignore[arg-type]
            truncated=self.truncated,
        )


def default_time_range(today: date | None = None) -> TimeRange:
    """The last twelve calendar months so far: the 1st of the month 11 months ago to today."""
    today = today or datetime.now(UTC).date()
    months = today.year * 12 + today.month - 1 - 11
    return TimeRange(start=date(months // 12, months % 12 + 1, 1), end=today)


def build(
    request: MetricQuery,
    scope: Scope,
    *,
    max_rows: int,
    today: date | None = None,
    source: Catalogue | None = None,
) -> tuple[Plan, Any]:
    """Check the request and compile it; returns the plan and its sqlglot tree."""
    source = source or catalogue()
    time_range = request.time_range or default_time_range(today)
    checked = plan(source, request, scope, time_range.start, time_range.end)
    return checked, compile_plan(source, checked, limit=max_rows + 1)


@lru_cache(maxsize=512)
def _compiled(
    source: Catalogue, body: str, scope: Scope, start: date, end: date, max_rows: int
) -> tuple[Plan, str]:
    """Plan and SQL for a request, kept: dashboards ask the same questions again and again
    (compiling costs more than a small query; errors are raised again, never cached)."""
    request = MetricQuery.model_validate_json(body)
    checked = plan(source, request, scope, start, end)
    return checked, compile_plan(source, checked, limit=max_rows + 1).sql(dialect=ENGINE_DIALECT)


def query(
    settings: Settings,
    request: MetricQuery,
    scope: Scope,
    connection: Any,
    *,
    locale: str = "en",
    today: date | None = None,
) -> Result:
    """Answer ``request`` within ``scope`` on a DuckDB connection where ``marts.*`` exist."""
    source = catalogue(settings.semantic.catalogue_path)
    max_rows = settings.semantic.max_rows
    time_range = request.time_range or default_time_range(today)
    checked, sql = _compiled(
        source,
        request.model_dump_json(exclude={"time_range"}),
        scope,
        time_range.start,
        time_range.end,
        max_rows,
    )
    rows = [list(row) for row in connection.execute(sql).fetchall()]
    truncated = len(rows) > max_rows
    return Result(
        columns=_columns(checked, locale),
        rows=rows[:max_rows],
        sql=sql,
        scope=scope,
        time_range=TimeRange(start=checked.start, end=checked.end),
        granularity=checked.grain.id if checked.grain else None,
        truncated=truncated,
    )


def _columns(checked: Plan, locale: str) -> list[ColumnRead]:
    columns = []
    if checked.grain is not None:
        columns.append(
            ColumnRead(
                name=checked.grain.id, type=checked.grain.type, label=checked.grain.name.get(locale)
            )
        )
    for dimension in checked.dimensions:
        columns.append(
            ColumnRead(name=dimension.id, type=dimension.type, label=dimension.name.get(locale))
        )
    for metric in checked.outputs:
        columns.append(ColumnRead(name=metric.id, type=metric.type, label=metric.name.get(locale)))
    return columns


def _text(value: Any) -> LocalisedText:
    return LocalisedText(zh=value.zh, en=value.en)


def _synonyms(value: Any) -> SynonymsRead:
    return SynonymsRead(zh=list(value.zh), en=list(value.en))


def list_metrics(source: Catalogue | None = None) -> list[MetricRead]:
    """Every metric in both languages, with the dimensions it can be grouped by."""
    source = source or catalogue()
    listed = []
    for metric in source.model.metrics:
        parts = (
            [source.metrics[metric.numerator or ""], source.metrics[metric.denominator or ""]]
            if metric.behaviour == "ratio"
            else [metric]
        )

        def reachable(dimension_id: str, parts: list[Any] = parts) -> bool:
            dimension = source.dimensions[dimension_id]
            return all(
                any(reaches(source, source.marts[s.mart], dimension) for s in part.sources)
                for part in parts
            )

        listed.append(
            MetricRead(
                id=metric.id,
                name=_text(metric.name),
                description=_text(metric.description),
                unit=_text(metric.unit),
                synonyms=_synonyms(metric.synonyms),
                behaviour=metric.behaviour,
                marts=sorted({s.mart for part in parts for s in part.sources}),
                numerator=metric.numerator,
                denominator=metric.denominator,
                dimensions=list(source.grains) + [d for d in source.dimensions if reachable(d)],
            )
        )
    return listed


def list_dimensions(scope: Scope, source: Catalogue | None = None) -> list[DimensionRead]:
    """Time grains and dimensions in both languages; ``visible`` says what the asker may use."""
    source = source or catalogue()
    listed = [
        DimensionRead(
            id=grain.id,
            kind="time",
            name=_text(grain.name),
            description=_text(grain.description),
            synonyms=_synonyms(grain.synonyms),
            type=grain.type,
            parent=grain.parent,
            entity=None,
            column=f"dim_date.{grain.column}",
            visible=True,
        )
        for grain in source.model.time_dimensions
    ]
    for dimension in source.model.dimensions:
        listed.append(
            DimensionRead(
                id=dimension.id,
                kind="attribute",
                name=_text(dimension.name),
                description=_text(dimension.description),
                synonyms=_synonyms(dimension.synonyms),
                type=dimension.type,
                parent=dimension.parent,
                entity=dimension.entity,
                column=f"{source.entities[dimension.entity].mart}.{dimension.column}",
                visible=scope.role in dimension.visible_to,
            )
        )
    return listed
