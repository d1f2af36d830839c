"""Pages: sign in and out, language switch, people and the security log for admins."""

from __future__ import annotations

import time
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from lifelong.accounts import repository, resets, service
from lifelong.accounts.models import Role, User
from lifelong.errors import BadRequest, Forbidden, LifelongError
from lifelong.i18n import N_
from lifelong.web.csrf import verify_csrf
from lifelong.web.deps import AppSettings, CurrentUser, DbSession, OptionalUser, client_ip
from lifelong.web.i18n import LOCALE_COOKIE, LOCALES, gettext, translate_error
from lifelong.web.templating import render

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50


def safe_next(target: str | None) -> str:
    """Only same-site relative paths, so ``next`` cannot redirect off-site."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


@router.get("/login")
def login_page(
    request: Request, user: OptionalUser, next: str | None = None, reset: int = 0
) -> Response:
    """The sign-in form (already signed in: go home)."""
    if user is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(
        request, "login.html", {"next": safe_next(next), "error": None, "was_reset": bool(reset)}
    )


@router.post("/login", dependencies=[Depends(verify_csrf)])
def login(
    request: Request,
    session: DbSession,
    settings: AppSettings,
    username: Annotated[str, Form(max_length=128)],
    password: Annotated[str, Form(max_length=256)],
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Check credentials, start a session, or show the form again with a generic error."""
    try:
        user = service.authenticate(
            session, settings, username=username, password=password, ip=client_ip(request)
        )
    except LifelongError as error:
        session.commit()
        message = translate_error(request.state.locale, error.template, error.params)
        return render(
            request,
            "login.html",
            {"next": safe_next(next), "error": message, "username": username},
            status_code=error.status_code,
        )
    request.session.clear()  # a new session on sign-in (prevents session fixation)
    request.session["user_id"] = user.id
    request.session["auth_at"] = time.time()
    request.state.user = user
    response = RedirectResponse(safe_next(next), status_code=303)
    if user.locale in LOCALES and LOCALE_COOKIE not in request.cookies:
        response.set_cookie(LOCALE_COOKIE, user.locale, max_age=365 * 86400, samesite="lax")
    return response


@router.post("/logout", dependencies=[Depends(verify_csrf)])
def logout(request: Request, session: DbSession, user: OptionalUser) -> Response:
    """End the session."""
    if user is not None:
        service.record(session, "logout", actor=user, subject=user.username, ip=client_ip(request))
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.get("/lang/{locale}")
def switch_language(locale: str, next: str | None = None) -> Response:
    """Remember the chosen language in a cookie and go back."""
    response = RedirectResponse(safe_next(next), status_code=303)
    if locale in LOCALES:
        response.set_cookie(LOCALE_COOKIE, locale, max_age=365 * 86400, samesite="lax")
    return response


def _require_admin(user: User) -> None:
    if user.role not in (Role.branch_admin, Role.hq_admin):
        raise Forbidden(N_("Only administrators may manage users."))


def _admin_scope(user: User) -> int | None:
    """The branch an admin's lists are limited to (none for HQ)."""
    return None if user.role == Role.hq_admin else user.branch_id


def _users_view(
    request: Request,
    session: Session,
    user: User,
    *,
    role: str | None,
    page: int,
    form_error: str | None = None,
    status_code: int = 200,
) -> Response:
    """The people list and the add-person form, optionally with the form's error."""
    role_filter = service.parse_role(role) if role else None
    page = max(page, 1)
    scope = _admin_scope(user)
    people = repository.users_in(
        session, branch_id=scope, role=role_filter, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
    )
    total = repository.count_users(session, branch_id=scope, role=role_filter)
    branches = [b for b in repository.list_branches(session) if service.can_manage(user, b)]
    return render(
        request,
        "admin/users.html",
        {
            "people": people,
            "total": total,
            "page": page,
            "page_size": PAGE_SIZE,
            "role_filter": role,
            "roles": list(Role),
            "branches": branches,
            "form_error": form_error,
        },
        status_code=status_code,
    )


@router.get("/admin/users")
def users_page(
    request: Request, session: DbSession, user: CurrentUser, role: str | None = None, page: int = 1
) -> Response:
    """People in the admin's reach, with a form to add one."""
    _require_admin(user)
    return _users_view(request, session, user, role=role, page=page)


@router.post("/admin/users", dependencies=[Depends(verify_csrf)])
def create_user(
    request: Request,
    session: DbSession,
    user: CurrentUser,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
    role: Annotated[str, Form(max_length=32)],
    branch: Annotated[str, Form(max_length=16)],
    display_name: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    """Add a person; an unknown role or branch is a 400 shown on the form, nothing saved."""
    _require_admin(user)
    try:
        service.create_user(
            session,
            user,
            username=username,
            display_name=display_name,
            password=password,
            role=role,
            branch_code=branch,
            ip=client_ip(request),
        )
    except LifelongError as error:
        session.rollback()
        return _users_view(
            request,
            session,
            user,
            role=None,
            page=1,
            form_error=translate_error(request.state.locale, error.template, error.params),
            status_code=error.status_code,
        )
    return RedirectResponse("/admin/users", status_code=303)


@router.get("/admin/audit")
def audit_page(request: Request, session: DbSession, user: CurrentUser) -> Response:
    """The newest security events in the admin's reach."""
    _require_admin(user)
    events = repository.recent_events(session, branch_id=_admin_scope(user), limit=200)
    return render(request, "admin/audit.html", {"events": events})


@router.get("/password/forgot")
def forgot_password_page(request: Request) -> Response:
    """Ask for a reset link by username or e-mail address."""
    return render(request, "password_forgot.html", {"sent": None, "error": None})


@router.post("/password/forgot", dependencies=[Depends(verify_csrf)])
def forgot_password(
    request: Request,
    session: DbSession,
    settings: AppSettings,
    identifier: Annotated[str, Form(max_length=254)],
) -> Response:
    """Send a link if the account can get one; the page says the same thing either way."""
    locale = request.state.locale
    try:
        answer = resets.request_reset(
            session,
            settings,
            identifier=identifier,
            ip=client_ip(request),
            translate=lambda message: gettext(locale, message),
        )
    except LifelongError as error:
        session.rollback()
        message = translate_error(locale, error.template, error.params)
        return render(
            request,
            "password_forgot.html",
            {"sent": None, "error": message},
            status_code=error.status_code,
        )
    return render(request, "password_forgot.html", {"sent": gettext(locale, answer), "error": None})


@router.get("/password/reset/{token}")
def reset_password_page(request: Request, session: DbSession, token: str) -> Response:
    """The new-password form, or a clear 400 when the link cannot be used."""
    resets.check_link(session, token)
    return render(request, "password_reset.html", {"token": token, "error": None})


@router.post("/password/reset/{token}", dependencies=[Depends(verify_csrf)])
def reset_password(
    request: Request,
    session: DbSession,
    token: str,
    password: Annotated[str, Form(max_length=256)],
    confirm: Annotated[str, Form(max_length=256)],
) -> Response:
    """Set the new password; then sign in with it."""
    locale = request.state.locale
    try:
        if password != confirm:
            raise BadRequest(N_("The two passwords differ."))
        resets.reset_password(session, token=token, new_password=password, ip=client_ip(request))
    except LifelongError as error:
        session.rollback()
        message = translate_error(locale, error.template, error.params)
        return render(
            request,
            "password_reset.html",
            {"token": token, "error": message},
            status_code=error.status_code,
        )
    request.session.clear()
    return RedirectResponse("/login?reset=1", status_code=303)
