"""The semantic layer: governed metrics and dimensions (``semantic.yaml``) and their query.

Outlets call ``query(settings, MetricQuery(...), scope, connection)`` in process (contract
C6 in ``docs/contracts.md``); over HTTP it is ``POST /api/v1/metrics/query``.
"""

from lifelong.foundation.semantic.schemas import MetricQuery, QueryFilter, TimeRange
from lifelong.foundation.semantic.scope import Scope, scope_for
from lifelong.foundation.semantic.service import Result, list_dimensions, list_metrics, query

__all__ = [
    "MetricQuery",
    "QueryFilter",
    "Result",
    "Scope",
    "TimeRange",
    "list_dimensions",
    "list_metrics",
    "query",
    "scope_for",
]
