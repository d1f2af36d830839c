"""The lake connection follows a table from an empty version to one with files."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
from deltalake import write_deltalake

from lifelong.config import Settings
from lifelong.foundation.lake.connection import Lake


def test_an_empty_version_then_rows_reattaches(tmp_path: Path) -> None:
    """An empty first version is a table, a later one with files a view: the switch works
    (`lifelong transform --no-snapshot`, then `lifelong transform`, used to fail here with
    "Existing object ... is of type Table, trying to drop type View")."""
    settings = Settings(data_dir=tmp_path, secret_key="k")
    path = tmp_path / "lake" / "clean" / "things"
    schema = pa.schema([("id", pa.int64())])
    write_deltalake(str(path), pa.Table.from_pylist([], schema=schema))
    lake = Lake(settings)
    assert lake.attach("clean", "things", path)
    assert lake.connection.execute('SELECT count(*) FROM clean."things"').fetchone() == (0,)
    write_deltalake(str(path), pa.Table.from_pylist([{"id": 1}, {"id": 2}]), mode="append")
    assert lake.attach("clean", "things", path)
    assert lake.connection.execute('SELECT count(*) FROM clean."things"').fetchone() == (2,)
    write_deltalake(
        str(path), pa.Table.from_pylist([], schema=schema), mode="overwrite"
    )  # and back to empty
    assert lake.attach("clean", "things", path)
    assert lake.connection.execute('SELECT count(*) FROM clean."things"').fetchone() == (0,)


def test_duckdb_memory_is_bounded_and_spills_into_the_lake(tmp_path: Path) -> None:
    """The lake database keeps to LIFELONG_FOUNDATION__DUCKDB_MEMORY_LIMIT (default 3GB),
    spilling into the data directory, not DuckDB's 80 % of RAM."""
    default = Lake(Settings(data_dir=tmp_path / "a", secret_key="k")).connection
    limit, spill = default.execute(
        "SELECT current_setting('memory_limit'), current_setting('temp_directory')"
    ).fetchone() or ("", "")
    assert limit.startswith("2.7") and "GiB" in limit  # 3 GB
    assert spill == str(tmp_path / "a" / "lake" / ".duckdb-spill")
    settings = Settings(data_dir=tmp_path / "b", secret_key="k")
    settings.foundation.duckdb_memory_limit = "1GB"
    one = Lake(settings).connection.execute("SELECT current_setting('memory_limit')").fetchone()
    assert one is not None and one[0].startswith("953")
