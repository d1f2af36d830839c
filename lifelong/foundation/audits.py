"""Audits: queries that return the failing rows of a model's new data (none = passed).

Built with sqlglot's expression builder from the header of each model file (so the rules
live with the model, not here). An ``error`` audit that finds rows stops the model from
being written and every model downstream from running; a ``warn`` audit only reports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlglot import exp

from lifelong.foundation.project import SOURCE_DIALECT, Model, ModelError

STAGED = "__staged"
SAMPLE_ROWS = 5


@dataclass
class AuditResult:
    """What one audit found."""

    name: str
    severity: str
    failing_rows: int
    sample: list[dict[str, Any]] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.failing_rows == 0

    @property
    def blocking(self) -> bool:
        return not self.passed and self.severity == "error"

    def as_dict(self) -> dict[str, Any]:
        return {
            "audit": self.name,
            "severity": self.severity,
            "failing_rows": self.failing_rows,
            "sample": self.sample,
        }


@dataclass(frozen=True)
class Audit:
    """One audit of a model, as SQL over the staged rows."""

    name: str
    severity: str
    sql: str


def _columns(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else [str(v) for v in value]


def _table(name: str) -> exp.Table:
    layer, table = name.split(".", 1)
    return exp.table_(table, db=layer)


def build(model: Model, spec: dict[str, Any]) -> Audit:
    """The audit query for one header entry, e.g. ``{"unique": ["day", "learner_id"]}``."""
    spec = dict(spec)
    severity = str(spec.pop("severity", "error"))
    if len(spec) != 1:
        raise ModelError(f"{model.path.name}: each audit is one of not_null, unique, ...")
    kind, arg = next(iter(spec.items()))
    if isinstance(arg, dict) and "severity" in arg:
        arg = dict(arg)
        severity = str(arg.pop("severity"))
    if severity not in ("error", "warn"):
        raise ModelError(f"{model.path.name}: audit severity must be error or warn")
    staged = exp.table_(STAGED)
    query: exp.Expression
    if kind == "not_null":
        columns = _columns(arg)
        condition = exp.or_(*(exp.column(c).is_(exp.null()) for c in columns))
        query = exp.select("*").from_(staged).where(condition)
        name = f"not_null({', '.join(columns)})"
    elif kind == "unique":
        columns = _columns(arg)
        query = (
            exp.select(*columns, exp.alias_(exp.func("COUNT", exp.Star()), "copies"))
            .from_(staged)
            .group_by(*columns)
            .having(exp.func("COUNT", exp.Star()) > 1)
        )
        name = f"unique({', '.join(columns)})"
    elif kind == "accepted_values":
        column, values = str(arg["column"]), [str(v) for v in arg["values"]]
        condition = exp.and_(
            exp.column(column).is_(exp.null()).not_(),
            exp.column(column).isin(*values).not_(),
        )
        query = exp.select("*").from_(staged).where(condition)
        name = f"accepted_values({column})"
    elif kind == "referential":
        column, parent, parent_column = str(arg["column"]), str(arg["to"]), str(arg["to_column"])
        keys = exp.select(exp.column(parent_column)).from_(_table(parent))
        condition = exp.and_(
            exp.column(column).is_(exp.null()).not_(),
            exp.column(column).isin(query=keys).not_(),
        )
        query = exp.select("*").from_(staged).where(condition)
        name = f"referential({column} -> {parent}.{parent_column})"
    elif kind == "row_count":
        low, high = arg.get("min"), arg.get("max")
        count = exp.func("COUNT", exp.Star())
        bounds: list[exp.Expression] = []
        if low is not None:
            bounds.append(count < int(low))
        if high is not None:
            bounds.append(count > int(high))
        query = exp.select(exp.alias_(count, "row_count")).from_(staged).having(exp.or_(*bounds))
        name = f"row_count({low}..{high})"
    elif kind == "freshness":
        column, hours = str(arg["column"]), float(arg["max_age_hours"])
        newest = exp.func("MAX", exp.column(column))
        limit = exp.Sub(
            this=exp.cast(exp.func("NOW"), exp.DataType.build("TIMESTAMP")),
            expression=exp.Interval(
                this=exp.Literal.string(str(int(hours * 3600))), unit=exp.var("SECOND")
            ),
        )
        query = (
            exp.select(exp.alias_(newest, "newest"))
            .from_(staged)
            .having(exp.or_(newest.is_(exp.null()), newest < limit))
        )
        name = f"freshness({column} <= {hours:g} h)"
    else:
        raise ModelError(f"{model.path.name}: unknown audit {kind!r}")
    return Audit(name=name, severity=severity, sql=query.sql(dialect=SOURCE_DIALECT))


def audits_of(model: Model) -> list[Audit]:
    """Every audit a model declares."""
    return [build(model, spec) for spec in model.audits]
