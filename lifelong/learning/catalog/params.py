"""Turning query-string arguments into search parameters (shared by the API and pages)."""

from __future__ import annotations

from lifelong.errors import BadRequest
from lifelong.i18n import N_
from lifelong.learning.catalog.search import SearchParams

TRUE = ("1", "true", "yes")
FALSE = ("0", "false", "no")


def search_params(
    *,
    q: str | None,
    sort: str | None,
    page: int,
    page_size: int,
    type: str | None = None,
    level: str | None = None,
    format: str | None = None,
    subject: str | None = None,
    provider: str | None = None,
    language: str | None = None,
    credit_bearing: str | None = None,
) -> SearchParams:
    """Search parameters with empty filters dropped; 400 on an unreadable credit_bearing."""
    filters = {
        name: value.strip()
        for name, value in (
            ("type", type),
            ("level", level),
            ("format", format),
            ("subject", subject),
            ("provider", provider),
            ("language", language),
        )
        if value and value.strip()
    }
    if credit_bearing not in (None, ""):
        flag = credit_bearing.strip().lower()
        if flag not in TRUE + FALSE:
            raise BadRequest(N_("credit_bearing must be true or false."))
        filters["credit_bearing"] = "1" if flag in TRUE else "0"
    return SearchParams(
        q=(q or "").strip(),
        filters=filters,
        sort=sort or "relevance",
        page=page,
        page_size=page_size,
    )
