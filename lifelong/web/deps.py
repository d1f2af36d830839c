"""FastAPI dependencies shared by every domain's routes and pages."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from lifelong.accounts import service as accounts
from lifelong.accounts.models import Role, User
from lifelong.config import Settings
from lifelong.errors import Forbidden, LifelongError, NotAuthenticated


def get_settings(request: Request) -> Settings:
    """The app's settings."""
    settings: Settings = request.app.state.settings
    return settings


def get_db(request: Request) -> Iterator[Session]:
    """One unit of work per request: commit on success, roll back on error.

    Used with ``scope="function"`` (below) so the commit happens before the response is
    sent: a redirect after a write must not reach the browser before the write is
    visible, and a failed commit must turn into an error, not a success already sent.
    """
    session: Session = request.app.state.session_factory()
    request.state.db = session
    try:
        yield session
        session.commit()
    except BaseException:
        # Detach loaded objects first so the error page can still show the signed-in user
        # (a rollback would expire them and the session is closed by then).
        session.expunge_all()
        session.rollback()
        raise
    finally:
        session.close()


DbSession = Annotated[Session, Depends(get_db, scope="function")]
AppSettings = Annotated[Settings, Depends(get_settings)]


def commit_then_raise(session: Session, error: LifelongError) -> None:
    """Keep what was recorded (a failed login) although the request fails."""
    session.commit()
    raise error


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def optional_user(request: Request, session: DbSession) -> User | None:
    """The signed-in user from a bearer token or the session cookie, if any."""
    token = _bearer(request)
    if token is not None:
        user = accounts.user_for_token(session, token)
    else:
        user = accounts.user_for_session(
            session, request.session.get("user_id"), request.session.get("auth_at")
        )
    request.state.user = user
    return user


def current_user(user: Annotated[User | None, Depends(optional_user)]) -> User:
    """The signed-in user; 401 when there is none."""
    if user is None:
        raise NotAuthenticated("Sign in first: send a bearer token or a session cookie.")
    return user


CurrentUser = Annotated[User, Depends(current_user)]
OptionalUser = Annotated[User | None, Depends(optional_user)]


def require_roles(*roles: Role):  # type: ignore[no-untyped-def]
    """A dependency that lets only the given roles through (403 otherwise)."""

    def check(user: CurrentUser) -> User:
        if user.role not in roles:
            raise Forbidden("Your role may not do this.")
        return user

    return Depends(check)


def client_ip(request: Request) -> str | None:
    """The caller's address (the direct peer; put a trusted proxy's header handling here)."""
    return request.client.host if request.client else None
