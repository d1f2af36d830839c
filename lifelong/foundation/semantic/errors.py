"""Errors of the semantic layer: each a 400 whose detail names what is wrong."""

from __future__ import annotations

from lifelong.errors import BadRequest
from lifelong.i18n import N_


class SemanticQueryError(BadRequest):
    """A metrics query the semantic layer cannot answer as asked (400).

    ``detail`` is ``{"reason": ..., "name": ...}`` so that callers (the Data Query agent)
    can tell which part of the question to change.
    """

    def __init__(self, message: str, *, reason: str, name: str, **params: object):
        super().__init__(
            message, detail={"reason": reason, "name": name}, params={"name": name, **params}
        )


def unknown_metric(name: str) -> SemanticQueryError:
    """A metric id that is not in the catalogue."""
    return SemanticQueryError(N_("Unknown metric: %(name)s"), reason="unknown_metric", name=name)


def unknown_dimension(name: str) -> SemanticQueryError:
    """A dimension id that is not in the catalogue."""
    return SemanticQueryError(
        N_("Unknown dimension: %(name)s"), reason="unknown_dimension", name=name
    )


def hidden_dimension(name: str) -> SemanticQueryError:
    """A dimension the asker's role may not group or filter by."""
    return SemanticQueryError(
        N_("You may not query by the dimension %(name)s"),
        reason="dimension_not_visible",
        name=name,
    )


def not_combinable(metric: str, dimension: str) -> SemanticQueryError:
    """No source of the metric reaches the dimension."""
    return SemanticQueryError(
        N_("The metric %(metric)s cannot be broken down or filtered by %(name)s"),
        reason="not_combinable",
        name=dimension,
        metric=metric,
    )


def bad_filter_value(dimension: str, expected: str) -> SemanticQueryError:
    """A filter value of the wrong type for its dimension."""
    return SemanticQueryError(
        N_("The filter on %(name)s needs %(expected)s values"),
        reason="bad_filter_value",
        name=dimension,
        expected=expected,
    )


def time_dimension_filter(name: str) -> SemanticQueryError:
    """Time is chosen with time_range, not with filters."""
    return SemanticQueryError(
        N_("Filter time with time_range, not with a filter on %(name)s"),
        reason="time_filter",
        name=name,
    )


def granularity_conflict(name: str) -> SemanticQueryError:
    """Two different time grains asked for at once."""
    return SemanticQueryError(
        N_("Ask for one time grain: %(name)s conflicts with the granularity or another grain"),
        reason="granularity_conflict",
        name=name,
    )


def duplicate(name: str) -> SemanticQueryError:
    """The same metric or dimension asked for twice."""
    return SemanticQueryError(N_("%(name)s is asked for twice"), reason="duplicate", name=name)
