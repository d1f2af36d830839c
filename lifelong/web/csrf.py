"""CSRF protection for cookie-authenticated forms (synchroniser token in the session)."""

from __future__ import annotations

import secrets

from fastapi import Request

from lifelong.errors import Forbidden
from lifelong.i18n import N_

CSRF_FIELD = "csrf_token"


def csrf_token(request: Request) -> str:
    """The session's CSRF token, created on first use."""
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


async def verify_csrf(request: Request) -> None:
    """Reject a form post whose token does not match the session's (403)."""
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    expected = request.session.get("csrf")
    if (
        not isinstance(sent, str)
        or not isinstance(expected, str)
        or not secrets.compare_digest(sent, expected)
    ):
        raise Forbidden(
            N_("The form expired or came from another site. Reload the page and retry.")
        )
