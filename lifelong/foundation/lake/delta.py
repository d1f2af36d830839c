"""Delta Lake reads and atomic writes (delta-rs, no JVM).

Every write is one Delta commit, so a failed run leaves the previous version readable
(Delta protocol: a version exists only once its ``_delta_log/<n>.json`` is written).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.dataset as ds
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


def dataset(path: Path) -> ds.Dataset:
    """The current version as a pyarrow dataset (DuckDB and Arrow scan it with pushdown)."""
    return DeltaTable(str(path)).to_pyarrow_dataset()


def read(path: Path, columns: Sequence[str] | None = None) -> pa.Table:
    """The current version as one Arrow table."""
    return DeltaTable(str(path)).to_pyarrow_table(columns=list(columns) if columns else None)


def _metadata(info: dict[str, Any] | None) -> CommitProperties | None:
    if not info:
        return None
    return CommitProperties(custom_metadata={k: str(v) for k, v in info.items()})


def overwrite(path: Path, table: pa.Table, *, info: dict[str, Any] | None = None) -> None:
    """Replace the whole table (schema too) in one commit."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_deltalake(
        str(path),
        table,
        mode="overwrite",
        schema_mode="overwrite",
        commit_properties=_metadata(info),
    )


def replace_partitions(
    path: Path,
    table: pa.Table,
    column: str,
    values: Sequence[Any],
    *,
    info: dict[str, Any] | None = None,
) -> None:
    """Replace the rows whose ``column`` is one of ``values`` by ``table`` (one commit).

    This is Delta's ``replaceWhere``: readers see either the old or the new rows of those
    partitions, never a mix.
    """
    if not (path / "_delta_log").is_dir():
        overwrite(path, table, info=info)
        return
    if not values:
        return
    literals = ", ".join(_literal(value) for value in values)
    write_deltalake(
        str(path),
        table,
        mode="overwrite",
        predicate=f"{column} IN ({literals})",
        commit_properties=_metadata(info),
    )


def merge(
    path: Path,
    table: pa.Table,
    keys: Sequence[str],
    *,
    info: dict[str, Any] | None = None,
) -> None:
    """Upsert ``table`` by ``keys`` (one commit): same key replaced, new key inserted."""
    if not (path / "_delta_log").is_dir():
        overwrite(path, table, info=info)
        return
    if table.num_rows == 0:
        return
    condition = " AND ".join(f"target.{key} = source.{key}" for key in keys)
    (
        DeltaTable(str(path))
        .merge(
            table,
            predicate=condition,
            source_alias="source",
            target_alias="target",
            commit_properties=_metadata(info),
        )
        .when_matched_update_all()
        .when_not_matched_insert_all()
        .execute()
    )


def _literal(value: Any) -> str:
    """A SQL literal for a partition value (dates, numbers, strings)."""
    if isinstance(value, int | float):
        return repr(value)
    text = str(value).replace("'", "''")
    if hasattr(value, "isoformat") and len(text) == 10:
        return f"'{text}'"
    return f"'{text}'"
