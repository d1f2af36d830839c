"""One error base for the product; the web layer turns it into JSON or an HTML page."""

from __future__ import annotations

from typing import Any

from lifelong.i18n import Message


class LifelongError(Exception):
    """An error a user can act on: a message and the HTTP status that fits it."""

    status_code: int = 400

    def __init__(
        self,
        message: str,
        status_code: int | None = None,
        detail: Any = None,
        params: dict[str, Any] | None = None,
    ):
        # ``message`` is an English msgid, optionally with %(name)s placeholders filled from
        # ``params``; pages translate the msgid first, APIs show the English text.
        self.template = message
        self.params = params or {}
        self.message = Message(message, self.params)
        super().__init__(self.message)
        if status_code is not None:
            self.status_code = status_code
        self.detail = detail


class BadRequest(LifelongError):
    """The input is malformed or breaks a rule (400)."""

    status_code = 400


class NotAuthenticated(LifelongError):
    """No or wrong credentials (401)."""

    status_code = 401


class Forbidden(LifelongError):
    """Authenticated but not allowed (403)."""

    status_code = 403


class NotFound(LifelongError):
    """The thing asked for does not exist, or the caller may not know it does (404)."""

    status_code = 404


class Conflict(LifelongError):
    """The request clashes with the current state (409)."""

    status_code = 409


class PreconditionFailed(LifelongError):
    """A conditional request's precondition does not hold (412)."""

    status_code = 412


class TooManyRequests(LifelongError):
    """The caller is throttled (429)."""

    status_code = 429

    def __init__(self, message: str, retry_after: int = 60, detail: Any = None):
        super().__init__(message, detail=detail)
        self.retry_after = retry_after
