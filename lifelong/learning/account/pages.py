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


def _interest_names(session: DbSession, record: dict[str, Any]) -> dict[str, dict[str, str]]:
    """The names of the profile's interests that are subject codes, in each language."""
    profile = record.get("profile") or {}
    return subject_names(session, profile.get("interests") or [])


@router.get("/account")
def account_page(
    request: Request, session: DbSession, settings: AppSettings, user: CurrentUser
) -> Response:
    """What is held about you, a download of it, and erasure."""
    record = _record(session, settings, user)
    return render(
        request,
        "account/account.html",
        {
            "record": record,
            "error": None,
            "labels": labels,
            "interest_names": _interest_names(session, record),
        },
    )


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
        record = _record(session, settings, user)
        return render(
            request,
            "account/account.html",
            {
                "record": record,
                "error": exc.message,
                "labels": labels,
                "interest_names": _interest_names(session, record),
            },
            status_code=400,
        )
    request.session.clear()
    return RedirectResponse("/login", status_code=303)
