"""The stores a run writes, as a whole: is anything there, wipe it, finish it."""

from __future__ import annotations

import logging
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event, func, select, text
from sqlalchemy.orm import Session

from lifelong.accounts.models import User
from lifelong.config import Settings
from lifelong.db.models import metadata
from lifelong.learning.catalog import indexing
from lifelong.learning.models import Resource
from lifelong.processes import lower_thread_priority
from lifelong.records import export
from lifelong.records import tables as lrs_tables
from lifelong.records.store import make_store_engine, open_store

EXPORT_CHUNK = 50_000
FEED_PAUSE_SECONDS = 2.0  # how long the lake feeder waits when nothing new is stored
# Rows a Delta commit of the feeder takes at most, and rows it holds as Python objects at
# once (``export_once``'s batch): it runs beside the chunks the main process holds. When
# a commit's rows were read all at once, 50 k-row commits raised the main process's peak
# on `small` from ~170 MB to ~850 MB resident (10 k: ~430 MB). Read a batch at a time,
# larger commits cost less CPU, but the Delta writer still holds a commit's rows: with
# 30 k-row commits the whole tree peaked at 2 067 MB on `medium` (1 922-1 947 MB with
# 10 k) in about the same time (424 s against 415-418 s), past the 2 GB bound.
FEED_CHUNK = 10_000
FEED_BATCH = 10_000
FEED_CACHE_KIB = 8_192  # the feeder's SQLite page cache (it reads each page once)
FEED_NICENESS = 5  # the feeder thread's nice value (and its Delta writer's threads')
# The generator's exports neither compact (its files are whole 10-50 k-row chunks, and a
# rewrite during the load would hold files' rows beside the workers) nor leave this
# process (see ``export_once``): the memory bound of ``medium`` is 2 GB for all its
# processes. The server's exporter compacts the partition later, in its own process.
GENERATED = export.Upkeep(enabled=False)

log = logging.getLogger("lifelong.synth")


def populated(settings: Settings, engine: Engine) -> bool:
    """Whether the store holds people, resources or statements already."""
    with engine.connect() as connection:
        for table in (User, Resource):
            if connection.execute(select(func.count()).select_from(table)).scalar_one():
                return True
    lrs = open_store(settings)
    try:
        with lrs.connect() as connection:
            statements = connection.execute(
                select(func.count()).select_from(lrs_tables.statements)
            ).scalar_one()
    finally:
        lrs.dispose()
    return bool(statements)


def wipe(settings: Settings, engine: Engine) -> None:
    """``--force``: empty every operational table, the statement store and the lake."""
    with engine.begin() as connection:
        for table in reversed(metadata.sorted_tables):
            connection.execute(table.delete())
    lrs = open_store(settings)
    try:
        with lrs.begin() as connection:
            for table in reversed(lrs_tables.metadata.sorted_tables):
                connection.execute(table.delete())
    finally:
        lrs.dispose()
    shutil.rmtree(settings.lake_dir, ignore_errors=True)
    (settings.data_dir / "lrs-bulk-checkpoints.json").unlink(missing_ok=True)


def fix_sequences(engine: Engine) -> None:
    """PostgreSQL: move id sequences past the explicit ids the generator wrote."""
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as connection:
        for table in metadata.sorted_tables:
            pk = list(table.primary_key.columns)
            if len(pk) == 1 and pk[0].autoincrement is not False and pk[0].type.python_type is int:
                name = table.name
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', '{pk[0].name}'), "
                        f"COALESCE((SELECT max({pk[0].name}) FROM {name}), 0) + 1, false) "
                        f"WHERE pg_get_serial_sequence('{name}', '{pk[0].name}') IS NOT NULL"
                    )
                )


def rebuild_search(settings: Settings, engine: Engine) -> int:
    """Index every generated resource so catalogue search works at once."""
    with Session(engine) as session:
        return indexing.rebuild(settings, session)


def export_lake(settings: Settings) -> int:
    """Bring the lakehouse's raw statements up to date (contract C1)."""
    lrs = open_store(settings)
    try:
        # 50 k rows per Delta commit: the exporter's default of 200 k peaked at 2.6 GB
        # resident on `small` (rows, JSON and Arrow copies at once); 50 k stays ~1.2 GB.
        return export.export_once(
            settings, lrs, chunk=EXPORT_CHUNK, upkeep=GENERATED, exporting_process=False
        )
    finally:
        lrs.dispose()


def _reading_once(dbapi_connection: Any, _record: Any) -> None:
    """A SQLite connection that reads rows once: a small page cache, no memory map."""
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA cache_size=-{FEED_CACHE_KIB}")
    cursor.execute("PRAGMA mmap_size=0")
    cursor.close()


@contextmanager
def lake_fed_meanwhile(settings: Settings, enabled: bool = True) -> Iterator[None]:
    """Export stored statements to the lake in a thread while the body runs.

    The generator's main process mostly waits for its workers' chunks; exporting as
    chunks land overlaps the lake export with the load instead of running it after
    (at ``medium`` it was minutes of one busy core at the end). The export is the
    ordinary exactly-once one (``records.export``), so stopping at any point loses and
    repeats nothing; ``export_lake`` afterwards exports whatever is left.
    """
    if not enabled:
        yield
        return
    stop = threading.Event()
    failures: list[Exception] = []

    def feed() -> None:
        # Behind the statement writers for the cores (the lake may lag by a few chunks).
        lower_thread_priority(FEED_NICENESS)
        # Not open_store: the store is migrated already, and Alembic's module state is
        # not safe to use from two threads at once (the main thread migrates its stores).
        lrs = make_store_engine(settings)
        if lrs.dialect.name == "sqlite":
            # It reads each row once, in order: a page cache (64 MiB by default) and the
            # store's memory map would only hold pages it never reads again, in the
            # process that also holds the chunks (medium's bound is for all processes).
            event.listen(lrs, "connect", _reading_once)
        try:
            while not stop.is_set():
                exported = export.export_once(
                    settings,
                    lrs,
                    chunk=FEED_CHUNK,
                    batch=FEED_BATCH,
                    upkeep=GENERATED,
                    exporting_process=False,
                )
                if exported < FEED_CHUNK:
                    stop.wait(FEED_PAUSE_SECONDS)
        except Exception as exc:  # reported after the load; the final export retries
            failures.append(exc)
        finally:
            lrs.dispose()

    thread = threading.Thread(target=feed, name="lake-feeder", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        for exc in failures:
            log.warning("the lake export during the load failed (%s); exporting after it", exc)
