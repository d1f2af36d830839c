"""Lakehouse export (contract C1): in order, exactly once, lag visible."""

from __future__ import annotations

import sys
import uuid

import duckdb
import pyarrow.dataset as ds
from deltalake import DeltaTable

from lifelong.config import Settings
from lifelong.records.bulk import ingest_statements
from lifelong.records.export import APP_ID, SCHEMA, export_once, export_status, table_path
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
