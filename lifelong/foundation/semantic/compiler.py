"""A plan compiled to one SQL statement, built as sqlglot expressions (never by pasting text).

Shape of the statement::

    WITH periods AS (...),                 -- only for cumulative metrics with a grain
         q0 AS (SELECT <period>, <dims>, <aggregates> FROM marts.<mart> ... GROUP BY ...),
         q1 AS (...)                       -- one per (mart, time column, shape)
    SELECT COALESCE(q0.k, q1.k) AS k, ..., <metrics>
    FROM q0 FULL OUTER JOIN q1 ON q0.k IS NOT DISTINCT FROM q1.k ...
    ORDER BY <keys> LIMIT n

Each part carries the scope predicate and the filters on its own mart, so no join can bring
in another branch's rows. User values only ever become ``exp.Literal`` nodes, which sqlglot
quotes for the target dialect. Rendering to ``duckdb`` or ``spark`` is ``.sql(dialect)``.
"""

from __future__ import annotations

from typing import Any

from sqlglot import exp

from lifelong.foundation.semantic.catalogue import Catalogue, Dimension, Metric, Source
from lifelong.foundation.semantic.planner import Part, Plan

FACT = "f"
DATES = "d"
PERIODS = "periods"
PERIOD_END = "period_end"
DAY = "day_"


def literal(value: Any) -> exp.Expr:
    """A filter value as a literal of its own type (strings quoted by sqlglot)."""
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int | float):
        return exp.Literal.number(value)
    return exp.Literal.string(str(value))


def date_literal(value: Any) -> exp.Expr:
    """``CAST('YYYY-MM-DD' AS DATE)``."""
    return exp.cast(exp.Literal.string(value.isoformat()), exp.DataType.build("date"), copy=False)


def _alias(entity: str) -> str:
    return f"e_{entity}"


def _mart_table(name: str, alias: str) -> exp.Table:
    return exp.table_(name, db="marts", alias=alias)


def dimension_expression(catalogue: Catalogue, part: Part, dimension: Dimension) -> exp.Column:
    """The dimension's column as seen from the part's mart (a direct key needs no join)."""
    mart = part.mart
    if mart.entity == dimension.entity:
        return exp.column(dimension.column, FACT)
    key = catalogue.entities[dimension.entity].key
    foreign_key = mart.joins[dimension.entity]
    if dimension.column == key:
        return exp.column(foreign_key, FACT)
    return exp.column(dimension.column, _alias(dimension.entity))


def _aggregate(metric: Metric, source: Source) -> exp.Expr:
    if source.aggregation == "count":
        value: exp.Expr = exp.Count(this=exp.Star())
    elif source.aggregation == "count_distinct":
        value = exp.Count(this=exp.Distinct(expressions=[exp.column(source.column or "", FACT)]))
    else:
        value = exp.Sum(this=exp.column(source.column or "", FACT))
    if metric.divisor:
        value = exp.Div(
            this=exp.cast(value, exp.DataType.build("double"), copy=False),
            expression=exp.Literal.number(metric.divisor),
        )
    return value


def _condition(column: exp.Expr, op: str, value: Any) -> exp.Expr:
    if op in ("in", "not_in"):
        member = exp.In(this=column.copy(), expressions=[literal(v) for v in value])
        return exp.Not(this=member) if op == "not_in" else member
    comparisons: dict[str, type[exp.Binary]] = {
        "eq": exp.EQ,
        "ne": exp.NEQ,
        "gt": exp.GT,
        "gte": exp.GTE,
        "lt": exp.LT,
        "lte": exp.LTE,
    }
    return comparisons[op](this=column.copy(), expression=literal(value))


def _part_select(catalogue: Catalogue, plan: Plan, part: Part) -> exp.Select:
    """One part: the mart's rows in scope, range and filters, grouped by period and dims."""
    time = exp.column(part.time_column, FACT)
    select = exp.select().from_(_mart_table(part.mart.id, FACT), copy=False)
    keys: list[exp.Expr] = []
    if plan.grain is not None:
        if part.grain is not None:
            # The mart's rows are already periods of the requested grain (the planner
            # checked): its time column is the period, no dim_date join needed.
            keys.append(time.copy())
        elif part.cumulative:
            # First per day of the time column (far fewer rows than the mart), then each
            # period takes every day up to its end: see _cumulative.
            keys.append(time.copy())
        else:
            select = select.join(
                _mart_table("dim_date", DATES),
                on=exp.EQ(this=exp.column("day", DATES), expression=time.copy()),
                copy=False,
            )
            keys.append(exp.column(plan.grain.column, DATES))
    entities: list[str] = []
    needed = list(plan.dimensions) + [d for d, _ in plan.filters]
    for dimension in needed:
        column = dimension_expression(catalogue, part, dimension)
        if column.table == _alias(dimension.entity) and dimension.entity not in entities:
            entities.append(dimension.entity)
    for entity_id in entities:
        # LEFT JOIN: a fact whose resource is unknown (certificate without a resource)
        # still counts in the totals, under an empty dimension value.
        entity = catalogue.entities[entity_id]
        select = select.join(
            _mart_table(entity.mart, _alias(entity_id)),
            on=exp.EQ(
                this=exp.column(entity.key, _alias(entity_id)),
                expression=exp.column(part.mart.joins[entity_id], FACT),
            ),
            join_type="left",
            copy=False,
        )

    conditions: list[exp.Expr] = []
    if part.cumulative:
        # Cumulative to each period's end: everything since the beginning, not just the range.
        conditions.append(exp.LTE(this=time.copy(), expression=date_literal(plan.end)))
    else:
        conditions.append(
            exp.Between(this=time.copy(), low=date_literal(plan.start), high=date_literal(plan.end))
        )
    if plan.scope.branches is not None:
        # Row scope (issue 5, item 5): on the part's own mart, ANDed with every filter.
        conditions.append(
            exp.In(
                this=exp.column(part.mart.branch_column, FACT),
                expressions=[literal(code) for code in sorted(plan.scope.branches)],
            )
        )
    for dimension, item in plan.filters:
        conditions.append(
            _condition(dimension_expression(catalogue, part, dimension), item.op, item.value)
        )
    select = select.where(exp.and_(*conditions, copy=False), copy=False)

    for dimension in plan.dimensions:
        keys.append(dimension_expression(catalogue, part, dimension))
    time_name = (DAY if part.cumulative else plan.grain.id) if plan.grain else None
    names = ([time_name] if time_name else []) + [d.id for d in plan.dimensions]
    for key, name in zip(keys, names, strict=True):
        select = select.select(exp.alias_(key.copy(), name, copy=False), copy=False)
    for metric, source in part.metrics:
        select = select.select(
            exp.alias_(_aggregate(metric, source), metric.id, copy=False), copy=False
        )
    if keys:
        select = select.group_by(*[k.copy() for k in keys], copy=False)
    if part.cumulative and plan.grain is not None:
        return _cumulative(plan, part, select)
    return select


def _cumulative(plan: Plan, part: Part, daily: exp.Select) -> exp.Select:
    """Each period's value: the sum of the daily values up to the period's end."""
    assert plan.grain is not None
    inner = "daily"
    select = (
        exp.select(exp.alias_(exp.column(plan.grain.id, PERIODS), plan.grain.id, copy=False))
        .from_(exp.alias_(exp.Subquery(this=daily), inner, table=True, copy=False), copy=False)
        .join(
            exp.to_table(PERIODS),
            on=exp.LTE(this=exp.column(DAY, inner), expression=exp.column(PERIOD_END, PERIODS)),
            copy=False,
        )
    )
    keys: list[exp.Expr] = [exp.column(plan.grain.id, PERIODS)]
    for dimension in plan.dimensions:
        select = select.select(
            exp.alias_(exp.column(dimension.id, inner), dimension.id, copy=False), copy=False
        )
        keys.append(exp.column(dimension.id, inner))
    for metric, _ in part.metrics:
        select = select.select(
            exp.alias_(exp.Sum(this=exp.column(metric.id, inner)), metric.id, copy=False),
            copy=False,
        )
    return select.group_by(*keys, copy=False)


def _periods(plan: Plan) -> exp.Select:
    """The periods of the range with their last day inside it (cumulative metrics' ends)."""
    assert plan.grain is not None
    grain = exp.column(plan.grain.column, DATES)
    return (
        exp.select(
            exp.alias_(grain, plan.grain.id, copy=False),
            exp.alias_(exp.Max(this=exp.column("day", DATES)), PERIOD_END, copy=False),
        )
        .from_(_mart_table("dim_date", DATES), copy=False)
        .where(
            exp.Between(
                this=exp.column("day", DATES),
                low=date_literal(plan.start),
                high=date_literal(plan.end),
            ),
            copy=False,
        )
        .group_by(grain.copy(), copy=False)
    )


def _cast(value: exp.Expr, kind: str) -> exp.Expr:
    return exp.cast(
        value, exp.DataType.build("bigint" if kind == "integer" else "double"), copy=False
    )


def compile_plan(catalogue: Catalogue, plan: Plan, limit: int) -> exp.Select:
    """The plan as one SELECT (dialect-neutral sqlglot tree)."""
    names = [f"q{i}" for i in range(len(plan.parts))]
    keys = ([plan.grain.id] if plan.grain else []) + [d.id for d in plan.dimensions]

    def key_of(index: int, key: str) -> exp.Expr:
        """The key as known after joining the first ``index + 1`` parts."""
        columns = [exp.column(key, name) for name in names[: index + 1]]
        return columns[0] if len(columns) == 1 else exp.func("COALESCE", *columns)

    def value_of(metric_id: str) -> exp.Expr:
        return exp.column(metric_id, names[plan.base[metric_id]])

    select = exp.select()
    last = len(plan.parts) - 1
    for key in keys:
        select = select.select(exp.alias_(key_of(last, key), key, copy=False), copy=False)
    for metric in plan.outputs:
        if metric.behaviour == "ratio":
            numerator = value_of(metric.numerator or "")
            denominator = exp.func(
                "COALESCE", value_of(metric.denominator or ""), exp.Literal.number(0)
            )
            # completion_rate = completions / enrolments over the same slice; no enrolments
            # gives NULL, not 0 or a division error.
            value: exp.Expr = exp.Case(
                ifs=[
                    exp.If(
                        this=exp.EQ(this=denominator, expression=exp.Literal.number(0)),
                        true=exp.Null(),
                    )
                ],
                default=exp.Div(
                    this=_cast(exp.func("COALESCE", numerator, exp.Literal.number(0)), "number"),
                    expression=denominator.copy(),
                ),
            )
        else:
            value = exp.func("COALESCE", value_of(metric.id), exp.Literal.number(0))
        select = select.select(
            exp.alias_(_cast(value, metric.type), metric.id, copy=False), copy=False
        )

    select = select.from_(exp.to_table(names[0]), copy=False)
    for index in range(1, len(plan.parts)):
        # FULL OUTER JOIN on the dimension keys; IS NOT DISTINCT FROM so that an empty
        # dimension value (NULL) meets itself across marts.
        on = (
            exp.and_(
                *[
                    exp.NullSafeEQ(
                        this=key_of(index - 1, key), expression=exp.column(key, names[index])
                    )
                    for key in keys
                ],
                copy=False,
            )
            if keys
            else exp.true()
        )
        select = select.join(exp.to_table(names[index]), on=on, join_type="full outer", copy=False)

    if plan.grain is not None and any(part.cumulative for part in plan.parts):
        select = select.with_(PERIODS, as_=_periods(plan), copy=False)
    for name, part in zip(names, plan.parts, strict=True):
        select = select.with_(name, as_=_part_select(catalogue, plan, part), copy=False)
    if keys:
        select = select.order_by(
            *[
                exp.Ordered(this=exp.Literal.number(i + 1), nulls_first=False)
                for i in range(len(keys))
            ],
            copy=False,
        )
    return select.limit(limit, copy=False)
