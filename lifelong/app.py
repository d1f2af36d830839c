"""The ASGI application factory: settings, stores, middleware, every domain's routers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.middleware.sessions import SessionMiddleware

from lifelong import __version__
from lifelong.config import Settings, get_settings
from lifelong.db.engine import engine_from_settings, make_session_factory
from lifelong.gc_tuning import settle_garbage_collector
from lifelong.learning.journey import runtime as journey_runtime
from lifelong.personalize import runtime as recommend_runtime
from lifelong.records import runtime as records_runtime
from lifelong.records.middleware import SkipForXapi, XapiMiddleware
from lifelong.web import errors
from lifelong.web.csrf import csrf_token
from lifelong.web.i18n import LOCALE_COOKIE, LOCALES, negotiate

log = logging.getLogger("lifelong")
STATIC_DIR = Path(__file__).parent / "web" / "static"


def secret_key(settings: Settings) -> str:
    """The configured key, or one generated once and kept (0600) in the data directory."""
    if settings.secret_key:
        return settings.secret_key
    path = settings.data_dir / "secret_key"
    if not path.exists():
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(48))
    return path.read_text().strip()


def _prepare_search(settings: Settings, session_factory: Any) -> None:
    """Build or catch up the node's catalogue index; search degrades, start-up goes on."""
    from lifelong.learning.catalog.indexing import ensure_index

    try:
        outcome = ensure_index(settings, session_factory)
    except Exception:  # a broken index must not stop the whole platform from starting
        log.exception("could not prepare the catalogue search index")
    else:
        log.info("catalogue search index: %s", outcome)


def _start_transform(settings: Settings) -> asyncio.Task[None] | None:
    """The foundation's scheduled transform (models every interval), when enabled."""
    if not settings.foundation.transform_enabled:
        return None
    from lifelong.foundation.scheduler import transform_forever

    return asyncio.create_task(transform_forever(settings))


async def _stop(task: asyncio.Task[None] | None) -> None:
    """Cancel a background task and wait for it (a running model finishes its thread)."""
    if task is None:
        return
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application; engines are created in the lifespan, not at import."""
    settings = settings or get_settings()
    # The semantic layer's YAML is validated now: a broken file stops start-up, with the rule.
    from lifelong.foundation.semantic.catalogue import catalogue

    catalogue(settings.semantic.catalogue_path)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = engine_from_settings(settings)
        app.state.engine = engine
        app.state.session_factory = make_session_factory(engine)
        lrs = await records_runtime.start(app, settings)
        _prepare_search(settings, app.state.session_factory)
        outbox = journey_runtime.start(app, settings)
        transforms = _start_transform(settings)
        recommender = recommend_runtime.start(app, settings)
        settle_garbage_collector()
        try:
            yield
        finally:
            await recommend_runtime.stop(recommender)
            await _stop(transforms)
            await journey_runtime.stop(outbox)
            await records_runtime.stop(app, lrs)
            engine.dispose()

    app = FastAPI(
        title="Lifelong",
        version=__version__,
        description="Lifelong learning platform and unified data foundation.",
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
    )
    app.state.settings = settings

    async def locale_and_csrf(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        cookie = request.cookies.get(LOCALE_COOKIE)
        request.state.locale = (
            cookie
            if cookie in LOCALES
            else negotiate(request.headers.get("accept-language"), settings.default_locale)
        )
        request.state.user = None
        request.state.csrf_token = csrf_token(request)
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if response.headers.get("content-type", "").startswith("text/html"):
            response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    # Neither runs for /xapi (see records.middleware.SkipForXapi).
    app.add_middleware(SkipForXapi, middleware=BaseHTTPMiddleware, dispatch=locale_and_csrf)
    # Added last so it runs first: the locale middleware reads the session.
    app.add_middleware(
        SkipForXapi,
        middleware=SessionMiddleware,
        secret_key=secret_key(settings),
        session_cookie="lifelong_session",
        max_age=settings.session_max_age,
        same_site="lax",
        https_only=settings.secure_cookies,
    )
    errors.install(app)
    # Added after the session middleware so that it runs first on /xapi requests.
    app.add_middleware(XapiMiddleware, max_body_bytes=settings.lrs.max_body_bytes)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    from lifelong.accounts import pages as account_pages
    from lifelong.accounts import routes as account_routes
    from lifelong.foundation.semantic import routes as semantic_routes
    from lifelong.learning.account import pages as learner_account_pages
    from lifelong.learning.account import routes as learner_account_routes
    from lifelong.learning.catalog import authoring as catalogue_authoring
    from lifelong.learning.catalog import pages as catalogue_pages
    from lifelong.learning.catalog import routes as catalogue_routes
    from lifelong.learning.credentials import pages as credential_pages
    from lifelong.learning.credentials import routes as credential_routes
    from lifelong.learning.journey import pages as journey_pages
    from lifelong.learning.journey import routes as journey_routes
    from lifelong.learning.journey import teach as journey_teach
    from lifelong.personalize import routes as recommend_routes
    from lifelong.records import about as records_about
    from lifelong.records import resources as records_resources
    from lifelong.records import routes as records_routes
    from lifelong.records.documents import routes as records_documents
    from lifelong.records.ops import pages as records_ops
    from lifelong.web import health, pages

    for router in (
        health.router,
        account_routes.router,
        account_pages.router,
        pages.router,
        catalogue_routes.router,
        catalogue_pages.router,
        catalogue_authoring.router,
        journey_routes.router,
        journey_pages.router,
        journey_teach.router,
        credential_routes.router,
        credential_pages.router,
        learner_account_routes.router,
        learner_account_pages.router,
        records_routes.router,
        records_about.router,
        records_resources.router,
        records_documents.router,
        records_ops.router,
        semantic_routes.router,
        recommend_routes.router,
    ):
        app.include_router(router)
    return app
