"""Lakehouse export (contract C1): in order, exactly once, lag visible."""

from __future__ import annotations

import sys
import uuid
from typing import Any

import duckdb
import pyarrow.dataset as ds
import pytest
from deltalake import DeltaTable

from lifelong.config import Settings
from lifelong.records.bulk import ingest_statements
from lifelong.records.export import APP_ID, SCHEMA, export_once, export_status, table_path
from lifelong.records.repository import StatementRepository
from lifelong.records.store import open_store
from tests.records.conftest import statement


def test_export_exactly_once_and_queryable(settings: Settings) -> None:
    """Rows arrive once each, in seq order, with the C1 columns; DuckDB reads them."""
    ext = f"{settings.iri_base}/xapi/extensions/branch"
    ingest_statements(
        settings,
        [
            {**statement(context={"extensions": {ext: "GD"}}), "id": str(uuid.uuid4())}
            for _ in range(5)
        ],
        client_name="lifelong-synth",
    )
    engine = open_store(settings)
    try:
        before = export_status(settings, engine)
        assert before["pending_statements"] == 5 and before["last_exported_seq"] == 0
        assert export_once(settings, engine) == 5
        assert export_once(settings, engine) == 0  # nothing twice
        ingest_statements(settings, [statement()], client_name="lifelong-synth")
        assert export_once(settings, engine) == 1
        status = export_status(settings, engine)
    finally:
        engine.dispose()
    assert status["pending_statements"] == 0 and status["lag_seconds"] == 0
    table = DeltaTable(str(table_path(settings)))
    assert table.transaction_version(APP_ID) == 6
    assert table.metadata().partition_columns == ["stored_date"]
    data = table.to_pyarrow_table().sort_by("seq")
    assert data.column("seq").to_pylist() == [1, 2, 3, 4, 5, 6]
    assert data.column("branch_code").to_pylist()[:5] == ["GD"] * 5
    assert data.column("client").to_pylist()[0] == "lifelong-synth"
    assert str(data.schema.field("stored").type) == "timestamp[us, tz=UTC]"
    assert uuid.UUID(data.column("statement_id")[0].as_py())
    dataset = ds.dataset(table.file_uris(), format="parquet")  # noqa: F841 - DuckDB scans it
    count = duckdb.sql("SELECT count(DISTINCT statement_id) FROM dataset").fetchone()
    assert count == (6,)


def test_columns_null_in_a_chunks_first_rows_export_with_their_values(settings: Settings) -> None:
    """A column NULL for the first 1 500 rows of a chunk and set later (registration,
    branch, timestamp given or not) keeps every value: ADBC types a column from its
    values, and a later batch that disagreed with the first would be refused."""
    ext = f"{settings.iri_base}/xapi/extensions/branch"
    registration = str(uuid.uuid4())
    plain = [{**statement(), "id": str(uuid.uuid4())} for _ in range(1_500)]
    rich = [
        {
            **statement(context={"registration": registration, "extensions": {ext: "BJ"}}),
            "id": str(uuid.uuid4()),
        }
        for _ in range(10)
    ]
    ingest_statements(settings, plain + rich, client_name="lifelong-synth")
    engine = open_store(settings)
    try:
        assert export_once(settings, engine, chunk=2_000) == 1_510
    finally:
        engine.dispose()
    data = DeltaTable(str(table_path(settings))).to_pyarrow_table().sort_by("seq")
    assert data.schema == SCHEMA
    assert data.column("registration").to_pylist() == [None] * 1_500 + [registration] * 10
    assert data.column("branch_code").to_pylist()[-10:] == ["BJ"] * 10
    assert data.column("statement_id").to_pylist() == [s["id"] for s in plain + rich]


def test_an_export_read_in_batches_commits_whole_chunks_exactly_once(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Read in this process (the generator's feeder; PostgreSQL stores), a commit's rows
    are fetched a batch at a time while it writes them. A read failing inside a chunk
    commits nothing of that chunk; the next export takes it up from the last commit, and
    every statement is in the lake once, in order."""
    registration = str(uuid.uuid4())
    given = [{**statement(), "id": str(uuid.uuid4())} for _ in range(1_000)]
    given += [
        {**statement(context={"registration": registration}), "id": str(uuid.uuid4())}
        for _ in range(510)
    ]
    ingest_statements(settings, given, client_name="lifelong-synth")
    engine = open_store(settings)
    fetch = StatementRepository.fetch
    calls = {"batches": 0}

    def failing(self: StatementRepository, text: str, params: Any = ()) -> Any:
        if "seq <= ?" in text:
            calls["batches"] += 1
            if calls["batches"] == 7:  # the 2nd chunk's 3rd batch (5 batches a chunk)
                raise RuntimeError("read failed")
        return fetch(self, text, params)

    try:
        monkeypatch.setattr(StatementRepository, "fetch", failing)
        with pytest.raises(Exception, match="read failed"):  # through delta-rs: DeltaError
            export_once(settings, engine, chunk=700, batch=150, exporting_process=False)
        table = DeltaTable(str(table_path(settings)))
        assert table.transaction_version(APP_ID) == 700
        assert table.to_pyarrow_table().num_rows == 700
        monkeypatch.setattr(StatementRepository, "fetch", fetch)
        assert export_once(settings, engine, chunk=700, batch=150, exporting_process=False) == 810
    finally:
        engine.dispose()
    table = DeltaTable(str(table_path(settings)))
    assert table.transaction_version(APP_ID) == 1_510
    assert table.version() == 2  # three commits: 700, 700 and 110 statements
    data = table.to_pyarrow_table().sort_by("seq")
    assert data.schema == SCHEMA
    assert data.column("seq").to_pylist() == list(range(1, 1_511))
    assert data.column("statement_id").to_pylist() == [s["id"] for s in given]
    assert data.column("registration").to_pylist() == [None] * 1_000 + [registration] * 510


def test_the_sqlite_export_reads_in_its_own_process(settings: Settings) -> None:
    """ADBC's driver links its own SQLite: it must never open the store in a process whose
    ``sqlite3`` module has it open too (two copies of SQLite in one process drop each
    other's POSIX locks), so the export reads in the exporting process."""
    ingest_statements(settings, [statement()], client_name="lifelong-synth")
    engine = open_store(settings)
    try:
        assert export_once(settings, engine) == 1
    finally:
        engine.dispose()
    assert "adbc_driver_sqlite" not in sys.modules


def _parquet_on_disk(settings: Settings) -> int:
    """Parquet files under the table's directory (live or replaced)."""
    return len(list(table_path(settings).rglob("*.parquet")))


def test_small_export_files_are_compacted_and_nothing_is_lost_or_repeated(
    settings: Settings,
) -> None:
    """Every export appends a file; once the day's partition holds ``lake_compact_files``
    the exporter merges them, and the table keeps every statement once, in order, with
    the exporter's position; later exports go on from it. Replaced files past their
    retention (0 h here) are deleted."""
    settings.lrs.lake_compact_files = 4
    settings.lrs.lake_file_retention_hours = 0
    ids: list[str] = []
    engine = open_store(settings)
    try:
        for _ in range(6):
            batch = [{**statement(), "id": str(uuid.uuid4())} for _ in range(2)]
            ids += [s["id"] for s in batch]
            ingest_statements(settings, batch, client_name="lifelong-synth")
            assert export_once(settings, engine) == 2
        assert export_once(settings, engine) == 0
    finally:
        engine.dispose()
    table = DeltaTable(str(table_path(settings)))
    # 4 files merged into 1 at the 4th export, then 2 more appended.
    assert len(table.file_uris()) == 3
    assert _parquet_on_disk(settings) == 3  # the replaced ones were vacuumed
    assert table.transaction_version(APP_ID) == 12
    data = table.to_pyarrow_table().sort_by("seq")
    assert data.column("seq").to_pylist() == list(range(1, 13))
    assert data.column("statement_id").to_pylist() == ids
    assert data.schema == SCHEMA


def test_replaced_files_stay_for_their_retention(settings: Settings) -> None:
    """With a retention, the files compaction replaced stay on disk for readers of the
    table's older versions (which still read every row)."""
    settings.lrs.lake_compact_files = 2
    settings.lrs.lake_file_retention_hours = 24
    engine = open_store(settings)
    try:
        for _ in range(2):
            fresh = {**statement(), "id": str(uuid.uuid4())}
            ingest_statements(settings, [fresh], client_name="lifelong-synth")
            assert export_once(settings, engine) == 1
    finally:
        engine.dispose()
    table = DeltaTable(str(table_path(settings)))
    assert len(table.file_uris()) == 1
    assert _parquet_on_disk(settings) == 3
    table.load_as_version(2)  # the two appends, before compaction
    assert table.to_pyarrow_table().num_rows == 2


def test_the_in_process_export_without_upkeep_neither_compacts_nor_spawns(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The generator's form (``sqlite3`` in the calling process, no upkeep): the same rows,
    its files left as they are, and the exporting process never asked."""
    from lifelong.records import export

    def refuse(*_args: object) -> int:
        raise AssertionError("the exporting process was used")

    monkeypatch.setattr(export, "_in_exporting_process", refuse)
    settings.lrs.lake_compact_files = 2
    ids: list[str] = []
    engine = open_store(settings)
    try:
        for _ in range(3):
            fresh = {**statement(), "id": str(uuid.uuid4())}
            ids.append(fresh["id"])
            ingest_statements(settings, [fresh], client_name="lifelong-synth")
            exported = export_once(
                settings, engine, upkeep=export.Upkeep(enabled=False), exporting_process=False
            )
            assert exported == 1
    finally:
        engine.dispose()
    table = DeltaTable(str(table_path(settings)))
    assert len(table.file_uris()) == 3
    assert table.to_pyarrow_table().sort_by("seq").column("statement_id").to_pylist() == ids
    assert table.to_pyarrow_table().schema == SCHEMA


def _export_and_exit(settings: Settings) -> None:
    """In a spawned child: export through the exporting process, then return (exit)."""
    engine = open_store(settings)
    assert export_once(settings, engine) == 1
    engine.dispose()


def test_a_child_process_that_exported_exits(settings: Settings) -> None:
    """A multiprocessing child (like the scheduled transform's process) that started an
    exporting process exits: its exit joins its children, and the exporting process is
    stopped before that (without it both waited for ever)."""
    import multiprocessing

    if settings.resolved_lrs_database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL exports without an exporting process")
    open_store(settings).dispose()
    assert not ingest_statements(settings, [statement()], client_name="c").rejected
    child = multiprocessing.get_context("spawn").Process(target=_export_and_exit, args=(settings,))
    child.start()
    child.join(60)
    alive = child.is_alive()
    if alive:
        child.kill()
    assert not alive and child.exitcode == 0
