"""The statement store's engine: opened, migrated and tuned for durable fast writes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, Index, create_engine, event

from lifelong.config import Settings
from lifelong.records import tables

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
PAGE_SIZE = 16_384
WRITER_INDEXES = frozenset({"ix_lrs_statements_voids", "ix_lrs_statements_id"})


def _pragmas(synchronous: str) -> Any:
    """SQLite connection set-up: WAL, and fsync per commit unless configured otherwise."""

    def apply(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        # 16 KiB pages: a statement row (~1 KB of JSON) and the long text keys of the
        # filter indexes fit more to a page, so a bulk chunk dirties (and the WAL
        # fsyncs, then the checkpoint rewrites) ~40 % fewer bytes; measured 1.7x the
        # insert rate of 4 KiB pages. Only takes effect when the file is created (before
        # the first table; SQLite ignores it on an existing WAL database).
        cursor.execute(f"PRAGMA page_size={PAGE_SIZE}")
        cursor.execute("PRAGMA journal_mode=WAL")
        # FULL makes each commit durable against power loss, not only process death.
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA cache_size=-65536")
        cursor.execute("PRAGMA temp_store=MEMORY")
        cursor.execute("PRAGMA mmap_size=268435456")
        cursor.close()

    return apply


def make_store_engine(settings: Settings) -> Engine:
    """An engine on the statement store (not migrated; see ``open_store``)."""
    url = settings.resolved_lrs_database_url
    if url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        sync = settings.lrs.synchronous.upper()
        if sync not in ("OFF", "NORMAL", "FULL", "EXTRA"):
            raise ValueError("LIFELONG_LRS__SYNCHRONOUS must be OFF, NORMAL, FULL or EXTRA")
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=8,
            max_overflow=8,
        )
        event.listen(engine, "connect", _pragmas(sync))
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=8, max_overflow=8)


def migrate(engine: Engine) -> None:
    """Bring the statement store's schema to its newest revision."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # configparser interpolates "%": escape it (URLs carry %-encoded options).
    url = engine.url.render_as_string(hide_password=False).replace("%", "%%")
    config.set_main_option("sqlalchemy.url", url)
    config.attributes["engine"] = engine
    command.upgrade(config, "head")


def filter_indexes() -> list[tuple[str, Index]]:
    """The statement filter indexes: what a bulk load may defer (``deferred_indexes``).

    All but the primary keys and those the writer itself reads: the statement id's (the
    unique index on PostgreSQL, ``ix_lrs_statements_id`` on SQLite: a repeated statement
    is a duplicate, not a second copy) and ``voids`` (a statement voided before it
    arrived is voided on arrival).
    """
    found: list[tuple[str, Index]] = []
    for table in (tables.statements, tables.statement_agents, tables.statement_activities):
        for index in sorted(table.indexes, key=lambda i: str(i.name)):
            if index.name not in WRITER_INDEXES:
                found.append((table.name, index))
    return found


def ensure_indexes(engine: Engine) -> list[str]:
    """Build any filter index that is missing (after a bulk load was cut short)."""
    built: list[str] = []
    with engine.begin() as connection:
        for table, index in filter_indexes():
            if not engine.dialect.has_index(connection, table, str(index.name)):
                index.create(connection)
                built.append(str(index.name))
    return built


@contextmanager
def deferred_indexes(engine: Engine) -> Iterator[None]:
    """Drop the filter indexes for a bulk load, then build each again in one sorted pass.

    A load into B-trees on hashed keys dirties a random leaf page of every index for
    each statement; building an index after the load sorts once and writes it in order
    (the generator's statement writes take about half as long). Queries stay correct
    meanwhile, only slower. If the process dies before the indexes are rebuilt, the next
    ``open_store`` builds them (``ensure_indexes``), so they are never missing for long.
    """
    with engine.begin() as connection:
        for table, index in filter_indexes():
            if engine.dialect.has_index(connection, table, str(index.name)):
                index.drop(connection)
    try:
        yield
    finally:
        ensure_indexes(engine)


def open_store(settings: Settings, *, build_missing_indexes: bool = True) -> Engine:
    """An engine on the migrated statement store (with every filter index, unless a bulk
    load that deferred them opens it: ``build_missing_indexes=False``)."""
    engine = make_store_engine(settings)
    migrate(engine)
    if build_missing_indexes:
        ensure_indexes(engine)
    return engine
