"""Lakehouse export (contract C1): in order, exactly once, lag visible."""

from __future__ import annotations

import uuid

import duckdb
import pyarrow.dataset as ds
from deltalake import DeltaTable

from lifelong.config import Settings
from lifelong.records.bulk import ingest_statements
from lifelong.records.export import APP_ID, export_once, export_status, table_path
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
