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
