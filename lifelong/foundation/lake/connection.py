"""``connect(settings)``: DuckDB in process over the lake's Delta tables (contract C5).

One in-memory DuckDB database per lake and process holds a view ``<layer>.<name>`` per
Delta table, reading the current version's Parquet files in place with DuckDB's built-in
Parquet reader (no extension to download). ``connect`` checks each table's Delta version
(a directory listing), redefines the views of tables that changed, and returns a new
cursor on that database: cheap enough per request, and never a stale version. A Delta
version with no files yet is an empty table of the version's schema.
"""

from __future__ import annotations

import threading
from pathlib import Path

import duckdb
from deltalake import DeltaTable

from lifelong.config import Settings
from lifelong.foundation.lake import delta
from lifelong.foundation.lake.paths import LAYERS, list_tables

HIVE_TYPES = {
    "date": "DATE",
    "string": "VARCHAR",
    "long": "BIGINT",
    "integer": "INTEGER",
    "boolean": "BOOLEAN",
}
_registry_lock = threading.Lock()
_lakes: dict[Path, Lake] = {}


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class Lake:
    """A DuckDB database whose views follow the lake's Delta tables."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.connection = duckdb.connect(":memory:")
        # Facts are UTC days (C5): casting a TIMESTAMPTZ to DATE follows the session zone.
        self.connection.execute("SET TimeZone = 'UTC'")
        limit = settings.foundation.duckdb_memory_limit
        if limit is not None:
            spill = settings.lake_dir / ".duckdb-spill"
            spill.mkdir(parents=True, exist_ok=True)
            self.connection.execute("SET memory_limit = ?", [limit])
            self.connection.execute("SET temp_directory = ?", [str(spill)])
        threads = settings.foundation.duckdb_threads
        if threads is not None:
            # Database-wide in DuckDB (every cursor, the transform's too).
            self.connection.execute(f"SET threads = {int(threads)}")
        for layer in LAYERS:
            self.connection.execute(f"CREATE SCHEMA IF NOT EXISTS {layer}")
        self.versions: dict[tuple[str, str], int] = {}
        self.lock = threading.Lock()

    def attach(self, layer: str, name: str, path: Path) -> bool:
        """(Re)define ``layer.name`` on the table's current version; False if none yet."""
        version = delta.latest_version(path)
        if version is None:
            return False
        if self.versions.get((layer, name)) == version:
            return True
        table = DeltaTable(str(path))
        files = table.file_uris()
        target = f'{layer}."{name}"'
        # A version without files is attached as an (empty) TABLE, later ones as a VIEW:
        # drop whichever it is now (DuckDB's DROP VIEW IF EXISTS fails on a table).
        existing = self.connection.execute(
            "SELECT table_type FROM information_schema.tables "
            "WHERE table_schema = ? AND table_name = ?",
            [layer, name],
        ).fetchone()
        if existing is not None:
            kind = "VIEW" if existing[0] == "VIEW" else "TABLE"
            self.connection.execute(f"DROP {kind} {target}")
        if files:
            fields = table.schema().fields
            partitions = table.metadata().partition_columns
            listing = ", ".join(_quote(f) for f in files)
            hive = ""
            if partitions:
                # delta-rs writes partition values in Hive-style paths, not in the files:
                # type them as the Delta schema says (a day stays a DATE).
                kinds = {
                    f.name: str(getattr(f.type, "type", "")) for f in fields if f.name in partitions
                }
                hive_types = ", ".join(
                    f"{_quote(name)}: {_quote(HIVE_TYPES.get(kind, 'VARCHAR'))}"
                    for name, kind in kinds.items()
                )
                hive = f", hive_partitioning = true, hive_types = {{{hive_types}}}"
            columns = ", ".join(f'"{f.name}"' for f in fields)  # the table's column order
            self.connection.execute(
                f"CREATE VIEW {target} AS SELECT {columns} FROM "
                f"read_parquet([{listing}], union_by_name = true{hive})"
            )
        else:
            empty = table.to_pyarrow_table()
            self.connection.register("__empty", empty)
            self.connection.execute(f'CREATE TABLE {target} AS SELECT * FROM "__empty"')
            self.connection.unregister("__empty")
        self.versions[(layer, name)] = version
        return True

    def refresh(self) -> None:
        """Bring every view to its table's current version."""
        with self.lock:
            for layer, name, path in list_tables(self.settings):
                self.attach(layer, name, path)

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A connection of its own on this database (safe to use in another thread)."""
        cursor = self.connection.cursor()
        cursor.execute("SET TimeZone = 'UTC'")
        return cursor


def lake_for(settings: Settings) -> Lake:
    """The process's database for this lake directory."""
    key = settings.lake_dir.resolve()
    with _registry_lock:
        lake = _lakes.get(key)
        if lake is None:
            lake = _lakes[key] = Lake(settings)
    return lake


def connect(settings: Settings) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with ``raw.*``, ``clean.*`` and ``marts.*`` queryable (C5)."""
    lake = lake_for(settings)
    lake.refresh()
    return lake.cursor()
