"""Shared fixtures: a fresh store per test on SQLite (always) or PostgreSQL (when asked).

Set ``LIFELONG_TEST_BACKEND=postgres`` and ``LIFELONG_TEST_POSTGRES_URL`` to run the suite
against PostgreSQL; each test then gets its own schema, dropped afterwards.
"""

from __future__ import annotations

import logging
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from lifelong.app import create_app
from lifelong.config import Settings, normalise_database_url
from lifelong.db.engine import make_engine, make_session_factory
from lifelong.db.migrate import upgrade

BACKEND = os.environ.get("LIFELONG_TEST_BACKEND", "sqlite")
POSTGRES_URL = os.environ.get("LIFELONG_TEST_POSTGRES_URL")


@pytest.fixture(autouse=True)
def _root_logging_restored() -> Iterator[None]:
    """The CLI sets up the root logger with a handler on the stderr of the moment; under a
    test runner that stream is closed when the test ends, so put the root logger back."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def pytest_report_header(config: pytest.Config) -> str:
    """Say which operational database the suite runs on."""
    if BACKEND == "postgres":
        return f"lifelong operational store: PostgreSQL ({POSTGRES_URL})"
    return "lifelong operational store: SQLite (set LIFELONG_TEST_BACKEND=postgres for PostgreSQL)"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite database, copied for each test (faster than migrating each time)."""
    path = tmp_path_factory.mktemp("template") / "lifelong.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture
def database_url(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A migrated, empty operational database for one test."""
    if BACKEND == "postgres":
        if not POSTGRES_URL:
            pytest.fail("LIFELONG_TEST_BACKEND=postgres needs LIFELONG_TEST_POSTGRES_URL")
        schema = f"t_{uuid.uuid4().hex[:12]}"
        base = normalise_database_url(POSTGRES_URL)
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        separator = "&" if "?" in base else "?"
        url = f"{base}{separator}options=-csearch_path%3D{schema}"
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        try:
            yield url
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
        return
    request.getfixturevalue("sqlite_template")
    template: Path = request.getfixturevalue("sqlite_template")
    target = tmp_path / "data" / "lifelong.db"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(template, target)
    yield f"sqlite:///{target}"


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    """Settings for one test: its own data directory and database."""
    return Settings(
        data_dir=tmp_path / "data", database_url=database_url, secret_key="test-secret-key"
    )


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    """The test's operational engine."""
    engine = make_engine(settings.resolved_database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions on the test's database."""
    return make_session_factory(engine)


@pytest.fixture
def db(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session for arranging data; commit to make it visible to the app."""
    session = session_factory()
    yield session
    session.close()


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """The app, started with its lifespan, as an HTTP client."""
    with TestClient(create_app(settings)) as test_client:
        yield test_client


CHROMIUM = os.environ.get("LIFELONG_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One headless Debian Chromium per worker for every browser test (Playwright); skipped
    clearly if it is missing."""
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.skip(f"browser tests need Debian's chromium at {CHROMIUM} (.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()
