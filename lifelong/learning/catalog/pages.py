"""Pages: the catalogue (search), the resource matrix, the subject tree and programmes.

Open to visitors who have not signed in (see routes.py for why); the top navigation
only appears once signed in.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from lifelong.learning.catalog import browse, labels, programmes, repository, service
from lifelong.learning.catalog.params import search_params
from lifelong.learning.catalog.search import search
from lifelong.web.deps import AppSettings, DbSession, OptionalUser
from lifelong.web.nav import ALL_ROLES, NavItem, register
from lifelong.web.templating import render

router = APIRouter(include_in_schema=False)
register(NavItem("catalogue", "Catalogue", "/catalogue", ALL_ROLES), before="users")
register(NavItem("matrix", "Matrix", "/matrix", ALL_ROLES), before="users")
register(
    NavItem("my_resources", "My resources", "/teach/resources", service.AUTHORS), before="users"
)
FILTERS = ("type", "level", "format", "subject", "provider", "language", "credit_bearing")


def link(args: dict[str, Any], **changes: Any) -> str:
    """The catalogue URL for ``args`` with ``changes`` applied (None drops a key)."""
    merged = {**args, **changes}
    query = {k: v for k, v in merged.items() if v not in (None, "")}
    return "/catalogue" + ("?" + urlencode(query) if query else "")


def _names(session: DbSession, locale: str) -> dict[str, dict[str, str]]:
    """Display names of subjects and providers for facet values."""
    zh = locale == "zh_CN"
    return {
        "subject": {s.code: s.name_zh if zh else s.name_en for s in repository.subjects(session)},
        "provider": {p.code: p.name_zh if zh else p.name_en for p in repository.providers(session)},
    }


@router.get("/catalogue")
def catalogue(
    request: Request,
    session: DbSession,
    settings: AppSettings,
    user: OptionalUser,
    q: str | None = None,
    type: str | None = None,
    level: str | None = None,
    format: str | None = None,
    subject: str | None = None,
    provider: str | None = None,
    language: str | None = None,
    credit_bearing: str | None = None,
    sort: str = "relevance",
    page: int = 1,
) -> Response:
    """Search box, facets with counts, sorting, paging and highlighted results."""
    params = search_params(
        q=q,
        sort=sort,
        page=page,
        page_size=20,
        type=type,
        level=level,
        format=format,
        subject=subject,
        provider=provider,
        language=language,
        credit_bearing=credit_bearing,
    )
    result = search(session, settings, params)
    args: dict[str, Any] = {"q": params.q, **params.filters}
    if params.sort != "relevance":
        args["sort"] = params.sort
    return render(
        request,
        "catalog/catalogue.html",
        {
            "result": result,
            "params": params,
            "args": args,
            "link": link,
            "labels": labels,
            "names": _names(session, request.state.locale),
        },
    )


@router.get("/matrix")
def matrix(request: Request, session: DbSession, user: OptionalUser) -> Response:
    """Counts by type x level x format (each a link into the catalogue), and subjects."""
    return render(
        request,
        "catalog/matrix.html",
        {
            "matrix": browse.matrix(session),
            "tree": browse.subject_tree(session),
            "link": link,
            "labels": labels,
        },
    )


@router.get("/programmes")
def programme_list(request: Request, session: DbSession, user: OptionalUser) -> Response:
    """Every programme with its credential and length."""
    return render(
        request,
        "catalog/programmes.html",
        {"programmes": repository.programmes(session, limit=500), "labels": labels},
    )


@router.get("/programmes/{programme_id}")
def programme_detail(
    request: Request, session: DbSession, user: OptionalUser, programme_id: int
) -> Response:
    """A programme's ordered resources, each linking to its page."""
    programme = programmes.get(session, programme_id)
    return render(
        request,
        "catalog/programme.html",
        {
            "programme": programme,
            "labels": labels,
            "can_edit": programmes.can_edit(user, programme),
        },
    )
