"""``connect(settings)``: DuckDB in process over the lake's Delta tables (contract C5).

Each call returns a fresh in-memory DuckDB connection (DuckDB connections are cheap; the
views are per connection), in which every Delta table is a view ``<layer>.<name>`` over a
pyarrow dataset. The datasets are cached per table and Delta version, so a call costs a
directory listing per table plus the view definitions, and a table rewritten by the
transform is seen by the next call. Nothing is downloaded: no DuckDB extension is needed.
"""

from __future__ import annotations

import threading
from pathlib import Path

import duckdb
import pyarrow.dataset as ds

from lifelong.config import Settings
from lifelong.foundation.lake import delta
from lifelong.foundation.lake.paths import LAYERS, list_tables

_lock = threading.Lock()
_datasets: dict[Path, tuple[int, ds.Dataset]] = {}


def cached_dataset(path: Path) -> ds.Dataset | None:
    """The table's current version as a dataset, reused while its version is unchanged."""
    version = delta.latest_version(path)
    if version is None:
        return None
    with _lock:
        hit = _datasets.get(path)
        if hit is not None and hit[0] == version:
            return hit[1]
    fresh = delta.dataset(path)
    with _lock:
        _datasets[path] = (version, fresh)
    return fresh


def attach(connection: duckdb.DuckDBPyConnection, layer: str, name: str, path: Path) -> bool:
    """Make one Delta table queryable as ``layer.name``; False when it has no commit yet."""
    data = cached_dataset(path)
    if data is None:
        return False
    handle = f"__lake_{layer}__{name}"
    connection.register(handle, data)
    connection.execute(f'CREATE OR REPLACE VIEW {layer}."{name}" AS SELECT * FROM "{handle}"')
    return True


def connect(settings: Settings) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with ``raw.*``, ``clean.*`` and ``marts.*`` queryable (C5)."""
    connection = duckdb.connect(":memory:")
    # Facts are UTC days (C5): casting a TIMESTAMPTZ to DATE follows the session zone.
    connection.execute("SET TimeZone = 'UTC'")
    for layer in LAYERS:
        connection.execute(f"CREATE SCHEMA IF NOT EXISTS {layer}")
    for layer, name, path in list_tables(settings):
        attach(connection, layer, name, path)
    return connection
