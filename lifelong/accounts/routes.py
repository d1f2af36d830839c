"""REST API for authentication and user administration."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.security import OAuth2PasswordRequestForm

from lifelong.accounts import repository, resets, service
from lifelong.accounts.models import Role, User
from lifelong.accounts.schemas import (
    Acknowledgement,
    BranchRead,
    PasswordResetConfirm,
    PasswordResetRequest,
    RoleUpdate,
    TokenRead,
    UserCreate,
    UserRead,
)
from lifelong.errors import Forbidden, LifelongError, NotFound
from lifelong.web.deps import AppSettings, CurrentUser, DbSession, client_ip, commit_then_raise
from lifelong.web.i18n import gettext

router = APIRouter(prefix="/api/v1", tags=["accounts"])


def admin_user(user: CurrentUser) -> User:
    """Only branch and HQ administrators."""
    if user.role not in (Role.branch_admin, Role.hq_admin):
        raise Forbidden("Only administrators may manage users.")
    return user


AdminUser = Annotated[User, Depends(admin_user)]


@router.post("/auth/token", response_model=TokenRead)
def token(
    request: Request,
    session: DbSession,
    settings: AppSettings,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
) -> TokenRead:
    """Exchange a username and password for a bearer token (OAuth2 password grant)."""
    try:
        user = service.authenticate(
            session, settings, username=form.username, password=form.password, ip=client_ip(request)
        )
    except LifelongError as error:
        commit_then_raise(session, error)
        raise
    return TokenRead(
        access_token=service.issue_token(session, settings, user, ip=client_ip(request)),
        expires_in=settings.token_max_age,
    )


@router.post("/auth/password-reset", response_model=Acknowledgement, status_code=202)
def request_password_reset(
    request: Request, session: DbSession, settings: AppSettings, body: PasswordResetRequest
) -> Acknowledgement:
    """E-mail a single-use reset link if the account can get one; the same 202 either way."""
    locale = request.state.locale
    answer = resets.request_reset(
        session,
        settings,
        identifier=body.identifier,
        ip=client_ip(request),
        translate=lambda message: gettext(locale, message),
    )
    return Acknowledgement(detail=answer)


@router.post("/auth/password-reset/confirm", status_code=204)
def confirm_password_reset(
    request: Request, session: DbSession, body: PasswordResetConfirm
) -> Response:
    """Set a new password with a reset link's token; every token and session ends."""
    resets.reset_password(
        session, token=body.token, new_password=body.new_password, ip=client_ip(request)
    )
    return Response(status_code=204)


@router.get("/me", response_model=UserRead)
def me(user: CurrentUser) -> User:
    """Who the token or session belongs to."""
    return user


@router.get("/branches", response_model=list[BranchRead])
def branches(session: DbSession, user: CurrentUser) -> list[BranchRead]:
    """Headquarters and every branch."""
    return [BranchRead.model_validate(b) for b in repository.list_branches(session)]


@router.post("/users", response_model=UserRead, status_code=201)
def create_user(request: Request, body: UserCreate, session: DbSession, admin: AdminUser) -> User:
    """Create a user in a branch the caller administers."""
    return service.create_user(
        session,
        admin,
        username=body.username,
        display_name=body.display_name,
        password=body.password,
        role=body.role,
        branch_code=body.branch,
        email=body.email,
        ip=client_ip(request),
    )


@router.patch("/users/{user_id}/role", response_model=UserRead)
def update_role(
    request: Request, user_id: int, body: RoleUpdate, session: DbSession, admin: AdminUser
) -> User:
    """Change a user's role (audited)."""
    target = session.get(User, user_id)
    if target is None or not service.can_manage(admin, target.branch):
        raise NotFound("No such user in your reach.")
    return service.change_role(session, admin, target, role=body.role, ip=client_ip(request))
