"""Delta Lake reads and atomic writes (delta-rs, no JVM).

Every write is one Delta commit, so a failed run leaves the previous version readable
(Delta protocol: a version exists only once its ``_delta_log/<n>.json`` is written).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeAlias

import pyarrow as pa
from deltalake import CommitProperties, DeltaTable, write_deltalake

_COMMIT = re.compile(r"^(\d{20})\.json$")


def latest_version(path: Path) -> int | None:
    """The newest committed version, from the log's file names (cheap: no JSON parsing)."""
    log = path / "_delta_log"
    try:
        names = os.listdir(log)
    except FileNotFoundError:
        return None
    versions = [int(m.group(1)) for name in names if (m := _COMMIT.match(name))]
    if versions:
        return max(versions)
    # Only checkpoints left after log clean-up: ask delta-rs.
    return DeltaTable(str(path)).version() if names else None


def column_names(path: Path) -> list[str]:
    """The current version's column names, from the log only (no data read)."""
    return [field.name for field in DeltaTable(str(path)).schema().fields]


def read(path: Path, columns: Sequence[str] | None = None) -> pa.Table:
    """The current version as one Arrow table."""
    return DeltaTable(str(path)).to_pyarrow_table(columns=list(columns) if columns else None)


# What the writers take: a whole table, or a stream of batches (the runner's staged rows).
Rows: TypeAlias = pa.Table | pa.RecordBatchReader


def _metadata(info: dict[str, Any] | None) -> CommitProperties | None:
    if not info:
        return None
    return CommitProperties(custom_metadata={k: str(v) for k, v in info.items()})


def overwrite(
    path: Path,
    table: Rows,
    *,
    info: dict[str, Any] | None = None,
    partition_by: Sequence[str] | None = None,
) -> None:
    """Replace the whole table (schema and partitioning too) in one commit."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_deltalake(
        str(path),
        table,
        mode="overwrite",
        schema_mode="overwrite",
        partition_by=list(partition_by) if partition_by else None,
        commit_properties=_metadata(info),
    )


def replace_where(
    path: Path, table: Rows, predicate: str, *, info: dict[str, Any] | None = None
) -> None:
    """Replace the rows matching ``predicate`` by ``table`` in one commit (``replaceWhere``).

    Readers see either the old or the new rows, never a mix; delta-rs also checks that
    every new row matches the predicate, so a model cannot write outside its window. (A
    MERGE would do too, but delta-rs 1.6 writes merged files with ``string_view`` columns
    that pyarrow datasets cannot filter next to older ``string`` files.)
    """
    if not (path / "_delta_log").is_dir():
        overwrite(path, table, info=info)
        return
    write_deltalake(
        str(path),
        table,
        mode="overwrite",
        predicate=predicate,
        commit_properties=_metadata(info),
    )


def replace_partitions(
    path: Path,
    table: Rows,
    column: str,
    values: Sequence[Any],
    *,
    info: dict[str, Any] | None = None,
) -> None:
    """Replace the rows whose ``column`` is one of ``values`` (e.g. the days touched)."""
    if not values and (path / "_delta_log").is_dir():
        return
    literals = ", ".join(_literal(value) for value in values) or "NULL"
    replace_where(path, table, f"{column} IN ({literals})", info=info)


def replace_range(
    path: Path,
    table: Rows,
    column: str,
    start: Any,
    end: Any,
    *,
    info: dict[str, Any] | None = None,
) -> None:
    """Replace the rows with ``start <= column < end`` (a time-range window)."""
    predicate = f"{column} >= {_literal(start)} AND {column} < {_literal(end)}"
    replace_where(path, table, predicate, info=info)


def upsert(path: Path, table: pa.Table, key: str, *, info: dict[str, Any] | None = None) -> None:
    """Insert or replace rows by a single key column (rows with the same key replaced)."""
    values = [v for v in table.column(key).to_pylist() if v is not None]
    if not values:
        return
    replace_partitions(path, table, key, values, info=info)


def _literal(value: Any) -> str:
    """A SQL literal for a predicate (numbers, dates, naive UTC timestamps, strings)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return f"'{value.isoformat(sep=' ', timespec='microseconds')}'"
    text = str(value).replace("'", "''")
    return f"'{text}'"
