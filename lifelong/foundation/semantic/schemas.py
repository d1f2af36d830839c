"""API shapes of the metrics query and of the semantic layer's catalogue listing."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

FilterOp = Literal["eq", "ne", "in", "not_in", "gt", "gte", "lt", "lte"]
Granularity = Literal["day", "week", "month", "quarter", "year"]
Scalar = str | int | float | bool


class QueryFilter(BaseModel):
    """One condition on a dimension; every filter must hold (they are combined with AND)."""

    model_config = ConfigDict(extra="forbid")

    dimension: str = Field(description="A dimension id from GET /api/v1/dimensions.")
    op: FilterOp = Field(
        description="eq, ne, gt, gte, lt, lte take one value; in and not_in take a list."
    )
    value: Scalar | list[Scalar] = Field(description="The value, or a non-empty list of them.")

    @model_validator(mode="after")
    def _value_fits_op(self) -> QueryFilter:
        if self.op in ("in", "not_in"):
            if not isinstance(self.value, list) or not self.value:
                raise ValueError(f"op {self.op} needs a non-empty list as value")
        elif isinstance(self.value, list):
            raise ValueError(f"op {self.op} needs a single value, not a list")
        return self


class TimeRange(BaseModel):
    """Inclusive UTC days; both ends are required when a range is given."""

    model_config = ConfigDict(extra="forbid")

    start: date = Field(description="First day, YYYY-MM-DD.")
    end: date = Field(description="Last day (inclusive), YYYY-MM-DD.")

    @model_validator(mode="after")
    def _ordered(self) -> TimeRange:
        if self.end < self.start:
            raise ValueError("time_range.end is before time_range.start")
        return self


class MetricQuery(BaseModel):
    """A semantic-layer question: metrics by dimensions, filtered, over a time range."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "example": {
                "metrics": ["active_learners", "enrolments", "completion_rate"],
                "dimensions": ["region"],
                "filters": [{"dimension": "resource_type", "op": "in", "value": ["course"]}],
                "time_range": {"start": "2026-01-01", "end": "2026-06-30"},
                "granularity": "month",
            }
        },
    )

    metrics: list[str] = Field(min_length=1, max_length=20, description="Metric ids.")
    dimensions: list[str] = Field(
        default_factory=list, max_length=6, description="Dimension ids to group by."
    )
    filters: list[QueryFilter] = Field(default_factory=list, max_length=20)
    time_range: TimeRange | None = Field(
        default=None,
        description="Days to cover; default: from the first day of the month eleven months "
        "before today (UTC) to today, i.e. the last twelve calendar months so far.",
    )
    granularity: Granularity | None = Field(
        default=None, description="Time grain of the rows; none gives one row per group."
    )


class ColumnRead(BaseModel):
    """A result column: its id, its type and its label in the request's language."""

    name: str
    type: Literal["date", "string", "integer", "number"]
    label: str


class ScopeRead(BaseModel):
    """The row scope the query ran under."""

    role: str
    branches: list[str] | None = Field(description="The branches visible; null means all.")


class QueryResult(BaseModel):
    """Columns first (time, then dimensions, then metrics), rows in the same order."""

    columns: list[ColumnRead]
    rows: list[list[Any]]
    sql: str = Field(description="The SQL that ran, in the active engine's dialect.")
    scope: ScopeRead
    time_range: TimeRange
    granularity: Granularity | None
    truncated: bool = Field(description="True when more rows matched than were returned.")


class LocalisedText(BaseModel):
    """A text in both languages."""

    zh: str
    en: str


class SynonymsRead(BaseModel):
    """Synonyms per language."""

    zh: list[str]
    en: list[str]


class MetricRead(BaseModel):
    """A metric of the catalogue."""

    id: str
    name: LocalisedText
    description: LocalisedText
    unit: LocalisedText
    synonyms: SynonymsRead
    behaviour: str
    marts: list[str]
    numerator: str | None = None
    denominator: str | None = None
    dimensions: list[str] = Field(description="Dimension ids this metric can be grouped by.")


class DimensionRead(BaseModel):
    """A dimension of the catalogue (time grains included, ``kind`` = time)."""

    id: str
    kind: Literal["time", "attribute"]
    name: LocalisedText
    description: LocalisedText
    synonyms: SynonymsRead
    type: str
    parent: str | None
    entity: str | None
    column: str
    visible: bool = Field(description="Whether the asker may group or filter by it.")
