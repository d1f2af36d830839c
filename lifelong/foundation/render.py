"""One model file, many engines: fill the time-range macros and transpile with sqlglot.

Models are written in DuckDB's dialect (the default engine), so on DuckDB the SQL runs as
written and on Spark sqlglot rewrites functions (``JSON_EXTRACT_STRING`` ->
``GET_JSON_OBJECT``, ``GENERATE_SERIES`` -> ``SEQUENCE``, ``QUALIFY`` -> a sub-query ...).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlglot
from sqlglot import exp

from lifelong.foundation.project import SOURCE_DIALECT, Model

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _literal(moment: datetime) -> str:
    """A timestamp literal for the window bound, in UTC without zone (clean layer type)."""
    value = moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
    return f"CAST('{value}' AS TIMESTAMP)"


def fill_macros(sql: str, start: datetime, end: datetime) -> str:
    """``@start`` / ``@end`` replaced by the run's window (start inclusive, end exclusive)."""
    return sql.replace("@start", _literal(start)).replace("@end", _literal(end))


def flat_name(layer: str, table: str) -> str:
    """Engines without schemas for temporary views (Spark) see ``layer.table`` as this."""
    return f"{layer}__{table}"


def parse(model_sql: str, start: datetime, end: datetime) -> exp.Expression:
    """The model's query as a sqlglot tree with the window filled in."""
    tree: Any = sqlglot.parse_one(  # sqlglot 30 types parse results as ``Expr``
        fill_macros(model_sql, start, end), read=SOURCE_DIALECT
    )
    return tree


def to_engine(tree: exp.Expression, dialect: str, *, flatten: bool = False) -> str:
    """SQL for one engine; ``flatten`` rewrites ``layer.table`` to ``layer__table``."""
    if flatten:
        tree = tree.copy()
        for table in tree.find_all(exp.Table):
            if table.db:
                table.set("this", exp.to_identifier(flat_name(table.db, table.name)))
                table.set("db", None)
    return tree.sql(dialect=dialect)


def render(
    model: Model, dialect: str, start: datetime, end: datetime, *, flatten: bool = False
) -> str:
    """The model's SQL for ``dialect`` over the window [start, end)."""
    return to_engine(parse(model.sql, start, end), dialect, flatten=flatten)


def touched_partitions_query(model: Model, start: datetime, end: datetime) -> str | None:
    """``WITH ... SELECT DISTINCT day FROM touched`` when the model declares a ``touched``
    CTE: the partitions this run replaces, even those left with no rows (all voided)."""
    tree = parse(model.sql, start, end)
    key = "with_" if "with_" in type(tree).arg_types else "with"
    with_ = tree.args.get(key)
    if with_ is None or not any(cte.alias_or_name == "touched" for cte in with_.expressions):
        return None
    query = exp.select(exp.column(model.time_column or "day")).distinct().from_("touched")
    query.set(key, with_.copy())
    return query.sql(dialect=SOURCE_DIALECT)
