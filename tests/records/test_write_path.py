"""The write path's fast forms give exactly what the general code gives."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text

from lifelong.config import Settings
from lifelong.records.formats import format_timestamp, parse_timestamp
from lifelong.records.records import timestamp_key
from lifelong.records.store import PAGE_SIZE, open_store


def test_format_timestamp_matches_strftime() -> None:
    rng = random.Random(11)
    start = datetime(1990, 1, 1, tzinfo=UTC)
    for _ in range(2_000):
        instant = start + timedelta(microseconds=rng.randrange(10**15))
        assert format_timestamp(instant) == instant.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    shifted = datetime(2026, 3, 1, 1, 2, 3, 4, tzinfo=UTC).astimezone()
    assert format_timestamp(shifted) == "2026-03-01T01:02:03.000004Z"


def test_timestamp_key_fast_path_agrees_with_parsing() -> None:
    values = [
        "2026-04-16T08:49:40.273Z",
        "2026-04-16T08:49:40Z",
        "2026-04-16T08:49:40.1Z",
        "2026-04-16T08:49:40.123456Z",
        "2026-04-16T08:49:40.1234567Z",
        "2026-04-16T08:49:40.273+08:00",
        "2026-04-16T08:49:40.273z",
    ]
    for value in values:
        instant = parse_timestamp(value)
        assert instant is not None
        assert timestamp_key(value) == format_timestamp(instant), value
    assert timestamp_key("2026-04-16T00:49:40.273+08:00") == "2026-04-15T16:49:40.273000Z"


def test_new_store_uses_large_pages(tmp_path: Path) -> None:
    engine = open_store(Settings(data_dir=tmp_path, secret_key="t"))
    try:
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA page_size")).scalar() == PAGE_SIZE
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    finally:
        engine.dispose()
