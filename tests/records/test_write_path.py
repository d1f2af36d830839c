"""The write path's fast forms give exactly what the general code gives."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

from hypothesis import given, settings
from hypothesis import strategies as st
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


@given(st.datetimes(min_value=datetime(1000, 1, 1), max_value=datetime(9999, 12, 31)))
def test_timestamp_key_of_milliseconds_in_utc_is_the_parsed_instants(moment: datetime) -> None:
    """The platform's own form (milliseconds, "Z"): the key without parsing."""
    value = moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    instant = parse_timestamp(value)
    assert instant is not None
    assert timestamp_key(value) == format_timestamp(instant)


@settings(max_examples=500, deadline=None)
@given(
    st.tuples(
        st.integers(0, 10_000),
        st.integers(0, 13),
        st.integers(0, 32),
        st.integers(0, 25),
        st.integers(0, 60),
        st.integers(0, 61),
    ),
    st.sampled_from(["", ".1", ".27", ".273", ".273001", ".000000"]),
)
def test_a_utc_timestamp_parses_as_its_offset_form(parts: tuple[int, ...], fraction: str) -> None:
    """The "Z" form is parsed in C (``datetime.fromisoformat``); the same text with a
    "+00:00" offset goes the regex way: both give the same instant, or both refuse it
    (February 30, hour 24, second 60, year 0)."""
    year, month, day, hour, minute, second = parts
    value = f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}{fraction}"
    assert parse_timestamp(value + "Z") == parse_timestamp(value + "+00:00")
    assert parse_timestamp(value + "Z", require_offset=True) == parse_timestamp(value + "Z")


def test_new_store_uses_large_pages(tmp_path: Path) -> None:
    engine = open_store(Settings(data_dir=tmp_path, secret_key="t"))
    try:
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA page_size")).scalar() == PAGE_SIZE
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    finally:
        engine.dispose()


def test_the_sqlite_insert_stores_every_column_the_general_rows_hold(tmp_path: Path) -> None:
    """SQLite's numbered multi-row insert (SQL makes seg, stored, the defaulted timestamp
    and the stored JSON) stores what the PostgreSQL path's full rows hold, column for
    column, for statements with and without a timestamp, across batches of two clients
    and across more rows than one insert takes."""
    import orjson

    from lifelong.records import repository as statement_repository
    from lifelong.records.credentials import XapiClient
    from lifelong.records.records import ifi_key
    from lifelong.records.repository import (
        INSERT_STATEMENT,
        ROWS_PER_INSERT,
        Batch,
        StatementRepository,
        _full_rows,
    )
    from lifelong.records.service import build_batch
    from lifelong.records.validation import check_statements

    def client(name: str) -> XapiClient:
        authority = {"objectType": "Agent", "account": {"homePage": "https://x.org", "name": name}}
        return XapiClient(
            name=name, scopes=frozenset({"all"}), branch_code=None, authority=authority
        )

    rng = random.Random(5)
    batches: list[Batch] = []
    for index in range(3):
        statements = []
        for n in range(ROWS_PER_INSERT // 2 + 7):
            stmt = {
                "actor": {"mbox": f"mailto:l{rng.randrange(50)}@example.org", "name": "学习者"},
                "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
                "object": {"id": f"http://example.org/a/{n}"},
            }
            if n % 3:
                stmt["timestamp"] = "2026-04-16T08:49:40.273+08:00"
            if n % 5 == 0:
                stmt["context"] = {"instructor": {"mbox": "mailto:t@example.org"}}
            statements.append(stmt)
        who = client(f"client-{index % 2}")
        batches.append(build_batch(check_statements(statements, "1.0.3"), who, "1.0.3", "x"))
    engine = open_store(Settings(data_dir=tmp_path, secret_key="t"))
    repository = StatementRepository(engine)
    try:
        repository.write(batches)
        accepted = [(batch, record) for batch in batches for record in batch.records]
        expected = _full_rows(accepted, accepted[0][1].stored)
        columns = statement_repository.STATEMENT_COLUMNS
        stored = repository.fetch(f"SELECT {columns.strip('()')} FROM lrs_statements ORDER BY seq")
        assert len(stored) == len(expected) > ROWS_PER_INSERT
        for got, want in zip(stored, expected, strict=True):
            assert tuple(got) == tuple(int(v) if isinstance(v, bool) else v for v in want)
            statement = orjson.loads(got[columns.split(", ").index("statement")])
            assert statement["stored"] == want[5]
            assert "timestamp" in statement
        assert INSERT_STATEMENT.startswith("INSERT INTO lrs_statements " + columns)
        assert {row[13] for row in stored} == {
            ifi_key(client(f"client-{i}").authority) for i in (0, 1)
        }
    finally:
        repository.close()
        engine.dispose()


def test_every_record_field_reads_what_make_row_was_given() -> None:
    """A record's fields are properties over its row: each reads back its own value."""
    from lifelong.records.records import ROW_FIELDS, StatementRecord, make_row

    given: dict[str, object] = {name: f"<{name}>" for name in ROW_FIELDS}
    given |= {
        "statement_id": str(uuid4()),
        "attachments": True,
        "body": '{"id":"x"}',
        "keys": (1, 2, None, 4, 5),
    }
    record = StatementRecord(make_row(**given))  # type: ignore[arg-type]
    assert {name: getattr(record, name) for name in ROW_FIELDS} == given
    assert record.timestamp_given and record.statement == {} and record.seq == 0
    untimed = StatementRecord(make_row(**(given | {"timestamp_key": None})))  # type: ignore[arg-type]
    assert not untimed.timestamp_given


def test_a_record_crosses_processes_whole_in_its_compact_form() -> None:
    """A prepared record pickles as its writer row (what the ingest's preparing process
    sends its writing process) and comes back equal, field for field, whatever the
    statement holds; one that still carries its statement, or was stored, pickles whole."""
    import pickle

    from lifelong.records.credentials import XapiClient
    from lifelong.records.records import ROW_FIELDS, build_record
    from lifelong.records.validation import check_statements

    authority = {"objectType": "Agent", "account": {"homePage": "https://x.org", "name": "c"}}
    client = XapiClient(name="c", scopes=frozenset({"all"}), branch_code="B01", authority=authority)
    statements = check_statements(
        [
            {
                "actor": {"mbox": "mailto:l@example.org"},
                "verb": {"id": "http://adlnet.gov/expapi/verbs/voided"},
                "object": {"objectType": "StatementRef", "id": str(uuid4())},
                "attachments": [
                    {
                        "usageType": "http://example.org/a",
                        "display": {"zh-CN": "附件"},
                        "contentType": "text/plain",
                        "length": 3,
                        "sha2": "a" * 64,
                        "fileUrl": "http://example.org/a.txt",
                    }
                ],
            },
            {
                "id": str(uuid4()).upper(),
                "actor": {"mbox": "mailto:l@example.org"},
                "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
                "object": {"id": "http://example.org/a"},
                "timestamp": "2026-04-16T08:49:40.273+08:00",
                "context": {
                    "registration": str(uuid4()),
                    "instructor": {"mbox": "mailto:t@example.org"},
                    "contextActivities": {"parent": [{"id": "http://example.org/p"}]},
                },
            },
        ],
        "1.0.3",
    )
    for record in (build_record(s, client, "1.0.3", "x") for s in statements):
        whole = pickle.loads(pickle.dumps(record))
        assert whole == record and whole.statement
        record.statement = {}
        compact = pickle.dumps(record)
        # the row and the related lists, nothing twice (the JSON text is in the row once)
        parts = (record.row, record.related_agents, record.related_activities)
        assert len(compact) < len(pickle.dumps(parts)) + 100
        assert compact.count(b'"actor":') == 1
        back = pickle.loads(compact)
        assert back == record
        assert all(getattr(back, name) == getattr(record, name) for name in ROW_FIELDS)
        record.seq, record.stored = 7, "2026-04-16T00:49:40.273000Z"
        assert pickle.loads(pickle.dumps(record)) == record  # stored: pickled whole
