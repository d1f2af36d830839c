"""One JSON error handler for APIs and one HTML error page for everything else."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from lifelong.errors import LifelongError, TooManyRequests
from lifelong.i18n import N_
from lifelong.web.i18n import gettext, translate_error
from lifelong.web.templating import render

log = logging.getLogger("lifelong.web")

API_PREFIXES = ("/api/", "/xapi", "/healthz", "/readyz")
TITLES = {
    400: N_("The request could not be understood"),
    401: N_("Please sign in"),
    403: N_("You do not have access to this page"),
    404: N_("Page not found"),
    405: N_("Method not allowed"),
    409: N_("Conflict"),
    413: N_("The request is too large"),
    422: N_("The request could not be understood"),
    429: N_("Too many requests"),
    500: N_("Something went wrong on our side"),
}


def wants_json(request: Request) -> bool:
    """API paths and clients asking for JSON get JSON; browsers get pages."""
    if request.url.path.startswith(API_PREFIXES):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def error_response(
    request: Request,
    status: int,
    message: str,
    detail: Any = None,
    headers: dict[str, str] | None = None,
    params: dict[str, Any] | None = None,
) -> Response:
    """Render an error as ``{"error", "detail"}`` JSON or as the HTML error page."""
    if wants_json(request):
        return JSONResponse(
            {"error": message, "detail": detail}, status_code=status, headers=headers
        )
    if status == 401:
        target = quote(
            str(request.url.path) + ("?" + request.url.query if request.url.query else "")
        )
        return RedirectResponse(f"/login?next={target}", status_code=303)
    locale = getattr(request.state, "locale", "zh_CN")
    title = gettext(locale, TITLES.get(status, TITLES[500] if status >= 500 else TITLES[400]))
    response = render(
        request,
        "error.html",
        {
            "status": status,
            "title": title,
            "message": translate_error(locale, message, params or {}),
        },
        status_code=status,
    )
    if headers:
        response.headers.update(headers)
    return response


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""

    @app.exception_handler(LifelongError)
    async def lifelong_error(request: Request, exc: LifelongError) -> Response:
        headers = (
            {"Retry-After": str(exc.retry_after)} if isinstance(exc, TooManyRequests) else None
        )
        if wants_json(request):
            return error_response(request, exc.status_code, exc.message, exc.detail, headers)
        return error_response(
            request, exc.status_code, exc.template, exc.detail, headers, exc.params
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        problems = [
            {"loc": list(err.get("loc", ())), "msg": err.get("msg", "")} for err in exc.errors()
        ]
        summary = "; ".join(
            f"{'.'.join(str(p) for p in item['loc'])}: {item['msg']}" for item in problems[:5]
        )
        if wants_json(request):
            return error_response(request, 400, f"Invalid request: {summary}", problems)
        # Pages translate the frame; the field paths and pydantic's reasons stay as given.
        return error_response(
            request, 400, N_("Invalid request: %(summary)s"), problems, params={"summary": summary}
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else TITLES.get(exc.status_code, "")
        return error_response(
            request, exc.status_code, message, None, dict(exc.headers) if exc.headers else None
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(request, 500, TITLES[500])
