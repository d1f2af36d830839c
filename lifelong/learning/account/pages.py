"""Pages of the lifelong learning account: privacy (see, download, erase) and transcript."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from lifelong.errors import BadRequest
from lifelong.learning.account import service as account
from lifelong.learning.catalog import labels
from lifelong.learning.catalog.repository import subject_names
from lifelong.web.csrf import verify_csrf
from lifelong.web.deps import AppSettings, CurrentUser, DbSession, client_ip
from lifelong.web.nav import ALL_ROLES, NavItem, register
from lifelong.web.templating import render

router = APIRouter(include_in_schema=False)
register(NavItem("account", "My account", "/account", ALL_ROLES), before="users")


def _record(session: DbSession, settings: AppSettings, user: CurrentUser) -> dict[str, Any]:
    return account.export(session, settings, user)


def _account_context(
    session: DbSession, settings: AppSettings, user: CurrentUser, error: str | None
) -> dict[str, Any]:
    """What the account page shows: the record, and the names of the profile's interests
    that are subject codes, in each language."""
    record = _record(session, settings, user)
    interests = (record.get("profile") or {}).get("interests") or []
    return {
        "record": record,
        "error": error,
        "labels": labels,
        "interest_names": subject_names(session, interests),
    }


@router.get("/account")
def account_page(
    request: Request, session: DbSession, settings: AppSettings, user: CurrentUser
) -> Response:
    """What is held about you, a download of it, and erasure."""
    return render(request, "account/account.html", _account_context(session, settings, user, None))


@router.get("/account/transcript")
def transcript(
    request: Request, session: DbSession, settings: AppSettings, user: CurrentUser
) -> Response:
    """A printable transcript of every enrolment, outcome, certificate and credit."""
    return render(
        request,
        "account/transcript.html",
        {"record": _record(session, settings, user), "labels": labels},
    )


async def _confirmation(request: Request) -> str:
    form = await request.form()
    value = form.get("confirm_username")
    return value if isinstance(value, str) else ""


@router.post("/account/erase", dependencies=[Depends(verify_csrf)])
def erase(
    request: Request,
    session: DbSession,
    settings: AppSettings,
    user: CurrentUser,
    confirm: Annotated[str, Depends(_confirmation)],
) -> Response:
    """Erase the account after the username was typed to confirm."""
    try:
        account.erase(session, settings, user, confirm=confirm, ip=client_ip(request))
    except BadRequest as exc:
        return render(
            request,
            "account/account.html",
            _account_context(session, settings, user, exc.message),
            status_code=400,
        )
    request.session.clear()
    return RedirectResponse("/login", status_code=303)
