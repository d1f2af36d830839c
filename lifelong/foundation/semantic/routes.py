"""REST API of the semantic layer: the metrics query and the catalogue (HTTP only here).

Bearer token or session, like every ``/api/v1`` route; learners get 403 (``scope_for``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from lifelong.errors import LifelongError
from lifelong.foundation.semantic import service
from lifelong.foundation.semantic.catalogue import catalogue
from lifelong.foundation.semantic.schemas import (
    DimensionRead,
    MetricQuery,
    MetricRead,
    QueryResult,
)
from lifelong.foundation.semantic.scope import Scope, scope_for
from lifelong.i18n import N_
from lifelong.web.deps import AppSettings, CurrentUser

router = APIRouter(prefix="/api/v1", tags=["metrics"])


class LakeUnavailable(LifelongError):
    """The lakehouse cannot be opened (not built yet, or its files are missing) (503)."""

    status_code = 503


def lake_connection(settings: AppSettings) -> Iterator[Any]:
    """A DuckDB connection where ``marts.<name>`` are queryable, closed after the request."""
    try:
        # Imported here, not at module level: the lake is another part of the foundation
        # and the semantic layer must load (and list its catalogue) without it.
        from lifelong.foundation.lake import connect  # type: ignore[attr-defined,unused-ignore]

        connection = connect(settings)
    except Exception as exc:
        raise LakeUnavailable(
            N_("The lakehouse is not available yet: build it with the foundation's transform."),
            detail=str(exc),
        ) from exc
    try:
        yield connection
    finally:
        connection.close()


def asker_scope(user: CurrentUser) -> Scope:
    """The signed-in user's row scope (403 for learners)."""
    return scope_for(user)


AskerScope = Annotated[Scope, Depends(asker_scope)]
Lake = Annotated[Any, Depends(lake_connection)]


@router.post("/metrics/query", response_model=QueryResult)
def query_metrics(
    body: MetricQuery, request: Request, settings: AppSettings, scope: AskerScope, lake: Lake
) -> QueryResult:
    """Metrics by dimensions over a time range, within the asker's branch scope.

    A branch user's rows are always limited to their branch: a filter naming another
    branch gives an empty answer, never that branch's rows. Unknown metrics, dimensions or
    filter operators, dimensions the asker may not see and metric/dimension pairs with no
    path between them are a 400 whose ``detail`` names the culprit.
    """
    locale = getattr(request.state, "locale", settings.default_locale)
    return service.query(settings, body, scope, lake, locale=locale).read()


@router.get("/metrics", response_model=list[MetricRead])
def list_metrics(settings: AppSettings, scope: AskerScope) -> list[MetricRead]:
    """Every metric of the semantic layer, in Chinese and English, with its dimensions."""
    return service.list_metrics(catalogue(settings.semantic.catalogue_path))


@router.get("/dimensions", response_model=list[DimensionRead])
def list_dimensions(settings: AppSettings, scope: AskerScope) -> list[DimensionRead]:
    """Every dimension (time grains first) in Chinese and English; ``visible`` for the asker."""
    return service.list_dimensions(scope, catalogue(settings.semantic.catalogue_path))
