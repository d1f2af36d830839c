"""Move stored statements to the lakehouse, in order and exactly once (contract C1).

Each Delta commit carries an application transaction (app id ``lifelong-lrs-export``,
version = the last ``seq`` it holds); the exporter resumes from that version, so a crash
between writing files and committing, or after committing, neither loses nor repeats a
statement. A file lock keeps two exporters (web process and CLI) from racing.

On SQLite the rows are read straight into Arrow by ADBC's SQLite driver (Apache Arrow
ADBC), in the exporting process: reading them through the ``sqlite3`` module made a
Python object of every value and cost ~10 us a statement of the web process's GIL under
ingest, against ~2.5 us in C. That driver links its own copy of SQLite, and two copies
of SQLite in one process must never open the same file (closing one's descriptor drops
the other's POSIX locks: "How To Corrupt An SQLite Database File", section 2.2.1), so
the copy that reads for the export lives in a process of its own.

Each export appends a file to the day's partition (every 5 s in the web process: ~17 000
a day), and a table of many small files is slow to scan. Once a partition holds
``lake_compact_files`` files the exporter merges the small ones (Delta OPTIMIZE: the same
rows, a commit marked as no data change, under the exporter's lock so no append races
it), and at most hourly deletes the files compaction replaced more than
``lake_file_retention_hours`` ago (Delta VACUUM), which readers of older versions of the
table (a transform in progress) may still be reading.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import multiprocessing.util
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from deltalake import CommitProperties, DeltaTable, Transaction, write_deltalake
from sqlalchemy import Engine

from lifelong.config import Settings
from lifelong.locks import try_lock
from lifelong.processes import exit_with_parent
from lifelong.records.formats import parse_timestamp
from lifelong.records.repository import StatementRepository

log = logging.getLogger("lifelong.records.export")
APP_ID = "lifelong-lrs-export"
TS = pa.timestamp("us", tz="UTC")
SCHEMA = pa.schema(
    [
        ("seq", pa.int64()),
        ("statement_id", pa.string()),
        ("stored", TS),
        ("timestamp", TS),
        ("verb_id", pa.string()),
        ("actor_ifi", pa.string()),
        ("activity_id", pa.string()),
        ("object_type", pa.string()),
        ("registration", pa.string()),
        ("branch_code", pa.string()),
        ("client", pa.string()),
        ("version", pa.string()),
        ("statement", pa.string()),
        ("stored_date", pa.string()),
    ]
)
COLUMNS = (
    "seq, statement_id, stored, timestamp, verb_id, actor_ifi, activity_id, object_type, "
    "registration, branch_code, client, version, "
)
# The statement's JSON is read as its UTF-8 bytes: decoding ~1 kB of text into a str a
# row and encoding it again for Arrow was half the export's time (a 50 k-row chunk of the
# generated store: 17 -> 10 µs a row to fetch and convert).
STATEMENT_BYTES = {
    "postgresql": "convert_to(statement, 'UTF8')",
    "sqlite": "CAST(statement AS BLOB)",
}


VACUUM_INTERVAL_SECONDS = 3_600.0


@dataclass(frozen=True)
class Upkeep:
    """When the exporter compacts the table and deletes replaced files (settings)."""

    compact_files: int = 64
    retention_hours: int = 24
    enabled: bool = True

    @classmethod
    def of(cls, settings: Settings) -> Upkeep:
        """The upkeep the settings ask for."""
        return cls(settings.lrs.lake_compact_files, settings.lrs.lake_file_retention_hours)


def table_path(settings: Settings) -> Path:
    """Where the raw statements table lives (C1)."""
    return settings.lake_dir / "raw" / "xapi_statements"


def last_exported_seq(path: Path) -> int:
    """The last seq committed to the table (its application transaction version)."""
    if not (path / "_delta_log").exists():
        return 0
    version = DeltaTable(str(path)).transaction_version(APP_ID)
    return int(version or 0)


def _exclusive(path: Path) -> AbstractContextManager[bool]:
    """Hold the exporter's lock file; yields False when another exporter holds it."""
    return try_lock(path.parent / ".xapi_statements.export.lock")


def _arrow(rows: list[tuple[Any, ...]]) -> pa.Table:
    """Rows of the store as the C1 Arrow table."""
    columns = list(zip(*rows, strict=True))
    stored = pa.array(columns[2], pa.string())
    arrays = [
        pa.array(columns[0], pa.int64()),
        pa.array(columns[1], pa.string()),
        pc.cast(stored, TS),
        pc.cast(pa.array(columns[3], pa.string()), TS),
        *(pa.array(columns[i], pa.string()) for i in range(4, 12)),
        pa.array(columns[12], pa.binary()).cast(pa.string()),  # checks the UTF-8
        pc.utf8_slice_codeunits(stored, 0, 10),
    ]
    return pa.Table.from_arrays(arrays, schema=SCHEMA)


def _conform(table: pa.Table) -> pa.Table:
    """A result read by ADBC as the C1 Arrow table.

    The driver types each column from its values, so a column that is NULL throughout a
    chunk (``registration``, say) comes back untyped; every column is cast to C1's type.
    """
    stored = table.column(2).cast(pa.string())
    arrays = [
        table.column(0).cast(pa.int64()),
        table.column(1).cast(pa.string()),
        pc.cast(stored, TS),
        pc.cast(table.column(3).cast(pa.string()), TS),
        *(table.column(i).cast(pa.string()) for i in range(4, 13)),
        pc.utf8_slice_codeunits(stored, 0, 10),
    ]
    return pa.Table.from_arrays(arrays, schema=SCHEMA)


@dataclass(frozen=True)
class Chunk:
    """One commit's statements: how many, the last ``seq`` among them, and their rows
    (a table, or batches read as the commit writes them)."""

    rows: int
    last_seq: int
    data: pa.Table | pa.RecordBatchReader


Reader = Callable[[int], Chunk | None]


_last_vacuum: dict[str, float] = {}


def compact(table: DeltaTable, upkeep: Upkeep) -> int:
    """Merge the small files of each partition holding ``compact_files`` or more; delete
    replaced files past their retention (after a compaction, at most hourly). Returns how
    many files fewer the table has.

    Called with the exporter's lock held: compaction rewrites files, and no append of
    the exporter's may commit in between (the table has no other writer).
    """
    if not upkeep.enabled:
        return 0
    path = table.table_uri
    days = table.get_add_actions(flatten=True).column("partition.stored_date").to_pylist()
    merged = 0
    for day, files in sorted(Counter(days).items()):
        if files >= upkeep.compact_files:
            # One bin at a time: the rewrite holds one target-size file's rows, not two.
            metrics = table.optimize.compact(
                partition_filters=[("stored_date", "=", day)], max_concurrent_tasks=1
            )
            merged += int(metrics.get("numFilesRemoved", 0)) - int(metrics.get("numFilesAdded", 0))
    now = time.monotonic()
    last = _last_vacuum.get(str(path))
    if merged and (last is None or now - last >= VACUUM_INTERVAL_SECONDS):
        _last_vacuum[str(path)] = now
        table.vacuum(
            retention_hours=upkeep.retention_hours,
            enforce_retention_duration=False,
            dry_run=False,
        )
    return merged


def _export(path: Path, read: Reader, upkeep: Upkeep) -> int:
    """Append every chunk ``read(after_seq)`` returns until it returns None; then compact
    the table when a partition has gathered enough files."""
    exported = 0
    with _exclusive(path) as mine:
        if not mine:
            return 0
        # The table's log is read once an export, not once a chunk: loading it replays
        # the newest checkpoint and the commits after it (~50 ms at ``medium``'s ~1 000
        # commits, twice a 10 k-row chunk: about 100 core-seconds of the generator's
        # run). Under the lock the exporter is the table's only writer, so the object a
        # write updates in place stays the table's state, and the last seq is known.
        table = DeltaTable(str(path)) if (path / "_delta_log").exists() else None
        after = int(table.transaction_version(APP_ID) or 0) if table is not None else 0
        while True:
            chunk = read(after)
            if chunk is None:
                if exported and table is not None:
                    compact(table, upkeep)
                return exported
            after = chunk.last_seq
            write_deltalake(
                str(path) if table is None else table,
                chunk.data,
                mode="append",
                partition_by=["stored_date"],
                commit_properties=CommitProperties(
                    app_transactions=[Transaction(app_id=APP_ID, version=after)]
                ),
            )
            if table is None:
                table = DeltaTable(str(path))
            exported += chunk.rows


def _select(statement_column: str, chunk: int) -> str:
    """The query of one chunk after a seq."""
    return (
        f"SELECT {COLUMNS}{statement_column} FROM lrs_statements "
        f"WHERE seq > ? ORDER BY seq LIMIT {chunk}"
    )


def _extent(chunk: int) -> str:
    """How many statements the chunk after a seq holds, and its last seq."""
    return (
        "SELECT count(*), max(seq) FROM (SELECT seq FROM lrs_statements "
        f"WHERE seq > ? ORDER BY seq LIMIT {chunk}) AS chunk"
    )


def _batches(
    repository: StatementRepository, column: str, after: int, last: int, batch: int
) -> Iterator[pa.RecordBatch]:
    """The rows with ``after < seq <= last``, ``batch`` at a time, as C1 record batches.

    Stored statements are never deleted and a snapshot that holds a seq holds every
    seq before it (one writer assigns them under its lock), so the range read in
    several queries is the one the chunk's extent counted.
    """
    query = (
        f"SELECT {COLUMNS}{column} FROM lrs_statements "
        f"WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT {batch}"
    )
    while after < last:
        rows = repository.fetch(query, (after, last))
        if not rows:
            raise RuntimeError(f"statements {after + 1}-{last} were not found to export")
        yield from _arrow(rows).to_batches()
        after = int(rows[-1][0])


def _export_sqlite(path: str, database: str, chunk: int, upkeep: Upkeep) -> int:
    """``export_once`` on a SQLite store, in the exporting process (ADBC reads)."""
    import adbc_driver_sqlite.dbapi as adbc

    done = False

    def read(after: int) -> Chunk | None:
        nonlocal done
        if done:
            return None
        with connection.cursor() as cursor:
            # One batch for the whole chunk: the driver infers a column's type from its
            # first batch and refuses a later batch whose values disagree (a column NULL
            # in its first rows, text later).
            cursor.adbc_statement.set_options(**{"adbc.sqlite.query.batch_rows": str(chunk)})
            cursor.execute(_select("statement", chunk), (after,))
            table = cursor.fetch_arrow_table()
        done = table.num_rows < chunk
        if not table.num_rows:
            return None
        return Chunk(table.num_rows, int(table.column(0)[-1].as_py()), _conform(table))

    connection = adbc.connect(database)
    try:
        return _export(Path(path), read, upkeep)
    finally:
        connection.close()


def export_once(
    settings: Settings,
    engine: Engine,
    *,
    chunk: int = 200_000,
    batch: int = 10_000,
    upkeep: Upkeep | None = None,
    exporting_process: bool = True,
) -> int:
    """Export every statement not yet in the lake; returns how many were exported.

    ``chunk``: statements a Delta commit takes at most. ``upkeep``: when to compact
    (default: the settings'). ``exporting_process=False`` reads a SQLite store through
    ``sqlite3`` in this process instead of through ADBC in the exporting process (the
    generator's feeder: its process mostly waits for its workers, and one more process
    would cost its memory bound ~350 MB). Read in this process, a chunk's rows are
    fetched ``batch`` at a time while the commit writes them, so only a batch of rows
    is held as Python objects (PostgreSQL stores, and SQLite ones without the
    exporting process).
    """
    path = table_path(settings)
    upkeep = upkeep or Upkeep.of(settings)
    database = engine.url.database
    if (
        exporting_process
        and engine.dialect.name == "sqlite"
        and database not in (None, "", ":memory:")
    ):
        return _in_exporting_process(str(path), str(database), chunk, upkeep)
    repository = StatementRepository(engine)
    done = False

    column = STATEMENT_BYTES[engine.dialect.name]

    def read(after: int) -> Chunk | None:
        nonlocal done
        if done:
            return None
        count, last = repository.fetch(_extent(chunk), (after,))[0]
        done = count < chunk
        if not count:
            return None
        batches = _batches(repository, column, after, int(last), batch)
        return Chunk(count, int(last), pa.RecordBatchReader.from_batches(SCHEMA, batches))

    return _export(path, read, upkeep)


_process: ProcessPoolExecutor | None = None
_process_lock = threading.Lock()


def _stop_exporting_process() -> None:
    """Shut the exporting process down (at exit: see ``_in_exporting_process``)."""
    global _process
    with _process_lock:
        process, _process = _process, None
    if process is not None:
        process.shutdown(wait=True)


def _start_exporting_process(parent: int) -> None:
    """The exporting process ends with the process that started it."""
    exit_with_parent(parent)


def _in_exporting_process(path: str, database: str, chunk: int, upkeep: Upkeep) -> int:
    """Run ``_export_sqlite`` in this process's exporting process (started on first use;
    started again once if it died)."""
    global _process
    for attempt in (1, 2):
        with _process_lock:
            if _process is None:
                # spawn, not fork: the calling process runs threads (writer, feeder).
                _process = ProcessPoolExecutor(
                    max_workers=1,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_start_exporting_process,
                    initargs=(os.getpid(),),
                )
                # When the caller is itself a multiprocessing child (the scheduled
                # transform's process), its exit joins its children before the pool's
                # own exit hook tells the worker to stop: both would wait for ever. A
                # finalizer runs before that join; its priority is above that of the
                # pool's queue (10), whose closing would stop the feeder thread that
                # must carry the worker's stop signal.
                multiprocessing.util.Finalize(None, _stop_exporting_process, exitpriority=100)
            process = _process
        try:
            return process.submit(_export_sqlite, path, database, chunk, upkeep).result()
        except BrokenProcessPool:
            with _process_lock:
                if _process is process:
                    _process = None
            if attempt == 2:
                raise
            log.warning("the exporting process died; starting another")
    raise AssertionError("unreachable")


def export_status(settings: Settings, engine: Engine) -> dict[str, Any]:
    """Lakehouse lag: last exported and last stored seq, and how old the oldest gap is."""
    repository = StatementRepository(engine)
    exported = last_exported_seq(table_path(settings))
    newest = repository.fetch("SELECT seq FROM lrs_statements ORDER BY seq DESC LIMIT 1")
    last_seq = int(newest[0][0]) if newest else 0
    lag_seconds = 0.0
    if last_seq > exported:
        oldest = repository.fetch(
            "SELECT stored FROM lrs_statements WHERE seq > ? ORDER BY seq LIMIT 1", (exported,)
        )
        instant = parse_timestamp(oldest[0][0]) if oldest else None
        if instant is not None:
            lag_seconds = max(0.0, (datetime.now(UTC) - instant).total_seconds())
    return {
        "last_exported_seq": exported,
        "last_stored_seq": last_seq,
        "pending_statements": last_seq - exported,
        "lag_seconds": round(lag_seconds, 3),
        "bound_seconds": settings.lrs.export_lag_bound_seconds,
        "within_bound": lag_seconds <= settings.lrs.export_lag_bound_seconds,
    }


async def export_forever(settings: Settings, engine: Engine) -> None:
    """The lifespan task: export, then wait ``export_interval_seconds``, until cancelled."""
    while True:
        try:
            await asyncio.to_thread(export_once, settings, engine)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("lakehouse export failed; retrying")
        await asyncio.sleep(settings.lrs.export_interval_seconds)
