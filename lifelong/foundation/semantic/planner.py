"""From a validated request to a plan: metrics resolved, a source chosen for each, checked.

Everything a user can get wrong is caught here, before any SQL exists, as a 400 naming it.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta

from lifelong.foundation.semantic import errors
from lifelong.foundation.semantic.catalogue import (
    Catalogue,
    Dimension,
    Mart,
    Metric,
    Source,
    TimeDimension,
)
from lifelong.foundation.semantic.schemas import MetricQuery, QueryFilter
from lifelong.foundation.semantic.scope import Scope


@dataclass(frozen=True)
class Part:
    """Base metrics computed together: one mart, one time column, one shape of query."""

    mart: Mart
    time_column: str
    cumulative: bool
    metrics: tuple[tuple[Metric, Source], ...]
    grain: str | None = None  # the mart's own time grain (rows are periods, not days)


@dataclass(frozen=True)
class Plan:
    """What the compiler turns into one SQL statement."""

    outputs: tuple[Metric, ...]  # the metrics asked for, in the order asked
    parts: tuple[Part, ...]
    grain: TimeDimension | None
    dimensions: tuple[Dimension, ...]
    filters: tuple[tuple[Dimension, QueryFilter], ...]
    start: date
    end: date
    scope: Scope
    base: dict[str, int] = field(default_factory=dict)  # base metric id -> index of its part


def reaches(catalogue: Catalogue, mart: Mart, dimension: Dimension) -> bool:
    """Whether rows of ``mart`` lead to the dimension's entity (directly or by one join)."""
    return mart.entity == dimension.entity or dimension.entity in mart.joins


def plan(catalogue: Catalogue, request: MetricQuery, scope: Scope, start: date, end: date) -> Plan:
    """Resolve and check a request; raise a ``SemanticQueryError`` naming the first problem."""
    outputs = _metrics(catalogue, request.metrics)
    grain, dimensions = _dimensions(catalogue, request, scope)
    filters = tuple(_filter(catalogue, item, scope) for item in request.filters)
    needed = list(dimensions) + [d for d, _ in filters if d not in dimensions]

    base: list[Metric] = []
    for metric in outputs:
        members = (
            [catalogue.metrics[metric.numerator or ""], catalogue.metrics[metric.denominator or ""]]
            if metric.behaviour == "ratio"
            else [metric]
        )
        for member in members:
            if member not in base:
                base.append(member)

    grouped: dict[tuple[str, str, bool, str | None], list[tuple[Metric, Source]]] = {}
    for metric in base:
        source = _source(catalogue, metric, needed, grain, start, end)
        key = (source.mart, source.time_column, metric.behaviour == "cumulative", source.grain)
        grouped.setdefault(key, []).append((metric, source))
    parts = tuple(
        Part(catalogue.marts[mart], time_column, cumulative, tuple(members), source_grain)
        for (mart, time_column, cumulative, source_grain), members in grouped.items()
    )
    by_metric = {metric.id: i for i, part in enumerate(parts) for metric, _ in part.metrics}
    return Plan(
        outputs=tuple(outputs),
        parts=parts,
        grain=grain,
        dimensions=tuple(dimensions),
        filters=filters,
        start=start,
        end=end,
        scope=scope,
        base=by_metric,
    )


def _metrics(catalogue: Catalogue, ids: list[str]) -> list[Metric]:
    seen: set[str] = set()
    metrics = []
    for metric_id in ids:
        if metric_id not in catalogue.metrics:
            raise errors.unknown_metric(metric_id)
        if metric_id in seen:
            raise errors.duplicate(metric_id)
        seen.add(metric_id)
        metrics.append(catalogue.metrics[metric_id])
    return metrics


def _dimensions(
    catalogue: Catalogue, request: MetricQuery, scope: Scope
) -> tuple[TimeDimension | None, list[Dimension]]:
    grain = catalogue.grains[request.granularity] if request.granularity else None
    dimensions: list[Dimension] = []
    for dimension_id in request.dimensions:
        if dimension_id in catalogue.grains:
            # A time grain named as a dimension is the granularity (the issue lists `month`
            # among the dimension ids); two different grains would be ambiguous.
            if grain is not None and grain.id != dimension_id:
                raise errors.granularity_conflict(dimension_id)
            grain = catalogue.grains[dimension_id]
            continue
        dimension = _visible(catalogue, dimension_id, scope)
        if dimension in dimensions:
            raise errors.duplicate(dimension_id)
        dimensions.append(dimension)
    return grain, dimensions


def _visible(catalogue: Catalogue, dimension_id: str, scope: Scope) -> Dimension:
    dimension = catalogue.dimensions.get(dimension_id)
    if dimension is None:
        raise errors.unknown_dimension(dimension_id)
    if scope.role not in dimension.visible_to:
        raise errors.hidden_dimension(dimension_id)
    return dimension


def _filter(catalogue: Catalogue, item: QueryFilter, scope: Scope) -> tuple[Dimension, QueryFilter]:
    if item.dimension in catalogue.grains:
        raise errors.time_dimension_filter(item.dimension)
    dimension = _visible(catalogue, item.dimension, scope)
    values = item.value if isinstance(item.value, list) else [item.value]
    for value in values:
        # bool is an int in Python: exclude it explicitly so `true` never matches 1.
        ok = (
            isinstance(value, str)
            if dimension.type == "string"
            else isinstance(value, int) and not isinstance(value, bool)
            if dimension.type == "integer"
            else isinstance(value, str) and _is_date(value)
        )
        if not ok:
            raise errors.bad_filter_value(item.dimension, dimension.type)
        if isinstance(value, str) and not printable(value):
            raise errors.bad_filter_value(item.dimension, "printable text")
    return dimension, item


def printable(value: str) -> bool:
    """No control characters or lone surrogates: no dimension value has them, and an engine's
    parser may stop at a NUL inside a literal (DuckDB does)."""
    return not any(unicodedata.category(char) in ("Cc", "Cs") for char in value)


def _is_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def period_start(grain: str, day: date) -> date:
    """The first day of the period of ``grain`` holding ``day`` (weeks start on Monday,
    ISO 8601), as in marts.dim_date."""
    if grain == "week":
        return day - timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    if grain == "quarter":
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    if grain == "year":
        return day.replace(month=1, day=1)
    return day


def whole_periods(grain: str, start: date, end: date) -> bool:
    """Whether ``start`` .. ``end`` (inclusive) is a run of whole periods of ``grain``."""
    return period_start(grain, start) == start and period_start(
        grain, end + timedelta(days=1)
    ) == end + timedelta(days=1)


def _source(
    catalogue: Catalogue,
    metric: Metric,
    needed: list[Dimension],
    grain: TimeDimension | None,
    start: date,
    end: date,
) -> Source:
    """The first source (in the catalogue's order of preference) reaching every dimension.

    A source pre-aggregated to a time grain is skipped unless the request asks for exactly
    that grain over whole periods: its distinct counts are exact only for those periods."""
    misses: list[list[Dimension]] = []
    for source in metric.sources:
        if source.grain is not None and (
            grain is None or grain.id != source.grain or not whole_periods(grain.id, start, end)
        ):
            continue
        mart = catalogue.marts[source.mart]
        missing = [d for d in needed if not reaches(catalogue, mart, d)]
        if not missing:
            return source
        misses.append(missing)
    # Name a dimension no source reaches (the one to drop), else the last source's miss.
    common = [d for d in misses[0] if all(d in other for other in misses)]
    raise errors.not_combinable(metric.id, (common or misses[-1])[0].id)
