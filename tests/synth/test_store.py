"""The generator's stores as a whole: the lake fed while a load runs."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
from deltalake import DeltaTable

from lifelong.config import Settings
from lifelong.records.bulk import ingest_statements
from lifelong.records.export import last_exported_seq, table_path
from lifelong.synth import store
from tests.records.conftest import statement


def _store(settings: Settings, count: int) -> None:
    statements = [{**statement(), "id": str(uuid.uuid4())} for _ in range(count)]
    report = ingest_statements(settings, statements, client_name="lifelong-platform")
    assert report.stored == count


def _exported_within(settings: Settings, seq: int, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if last_exported_seq(table_path(settings)) >= seq:
            return True
        time.sleep(0.05)
    return False


def test_the_lake_is_fed_while_the_load_runs_exactly_once(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Statements stored before and during the block reach the lake before it ends,
    each once, and nothing is left to the export after it."""
    monkeypatch.setattr(store, "FEED_PAUSE_SECONDS", 0.05)
    _store(settings, 7)
    with store.lake_fed_meanwhile(settings):
        assert _exported_within(settings, 7)
        _store(settings, 5)  # stored while the feeder runs: exported without a call
        assert _exported_within(settings, 12)
    assert store.export_lake(settings) == 0
    lake = DeltaTable(str(table_path(settings))).to_pyarrow_table(columns=["seq"])
    assert sorted(lake.column("seq").to_pylist()) == list(range(1, 13))


def test_a_failing_feeder_leaves_the_export_to_the_end(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """An export error during the load is logged, not raised; the final export does it."""

    tried = threading.Event()

    def broken(*_args: object, **_kwargs: object) -> int:
        tried.set()
        raise OSError("disk full")

    _store(settings, 3)
    monkeypatch.setattr(store.export, "export_once", broken)
    with store.lake_fed_meanwhile(settings):
        assert tried.wait(30)  # the feeder has tried (and failed) before the block ends
    monkeypatch.undo()
    assert "disk full" in caplog.text
    assert store.export_lake(settings) == 3
