"""The bulk ingestion path (contract C2): validation, idempotence, resumption."""

from __future__ import annotations

import pickle
import uuid
from pathlib import Path

import orjson
import pytest
from fastapi.testclient import TestClient

from lifelong.config import Settings
from lifelong.ids import named_uuid7
from lifelong.records import bulk
from lifelong.records.bulk import ingest_files, ingest_statements
from lifelong.records.records import id_halves
from lifelong.records.store import open_store
from tests.records.conftest import statement


def _count(settings: Settings) -> int:
    """Statements in the store."""
    engine = open_store(settings)
    try:
        with engine.connect() as connection:
            return int(connection.exec_driver_sql("SELECT count(*) FROM lrs_statements").scalar())
    finally:
        engine.dispose()


def _write(path: Path, lines: list[bytes]) -> Path:
    """A JSON-lines file."""
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def test_ingest_files_reports_and_is_idempotent(settings: Settings, tmp_path: Path) -> None:
    """Valid lines stored, bad lines reported with location and reason, re-run stores nothing."""
    same_id = str(uuid.uuid4())
    lines = [orjson.dumps({**statement(), "id": str(uuid.uuid4())}) for _ in range(5)]
    lines += [
        b"{not json",
        orjson.dumps(statement(verb={"id": "not an iri"})),
        orjson.dumps({**statement(), "id": same_id}),
        orjson.dumps({**statement(verb={"id": "http://x.org/v"}), "id": same_id}),
        orjson.dumps(statement()),  # no id: gets a content-derived id
    ]
    path = _write(tmp_path / "a.jsonl", lines)
    report = ingest_files(settings, [path], client_name="lifelong-synth", progress=False)
    assert report.stored == 7
    reasons = dict(report.rejected)
    assert set(reasons) == {"a.jsonl:6", "a.jsonl:7", "a.jsonl:9"}
    assert "not valid JSON" in reasons["a.jsonl:6"]
    assert "IRI" in reasons["a.jsonl:7"]
    assert "other content" in reasons["a.jsonl:9"]
    # A second run over a changed copy (no checkpoint applies) stores nothing new.
    copy = _write(tmp_path / "b.jsonl", lines)
    again = ingest_files(settings, [copy], client_name="lifelong-synth", progress=False)
    assert again.stored == 0 and again.duplicates == 7
    assert _count(settings) == 7


def test_ingest_resumes_from_checkpoint(
    settings: Settings, tmp_path: Path, monkeypatch: object
) -> None:
    """A run stopped after some chunks resumes after the last committed chunk."""
    import pytest

    mp: pytest.MonkeyPatch = monkeypatch  # type: ignore[assignment]
    mp.setattr(bulk, "CHUNK_LINES", 10)
    lines = [orjson.dumps({**statement(), "id": str(uuid.uuid4())}) for _ in range(35)]
    path = _write(tmp_path / "big.jsonl", lines)
    calls = {"n": 0}
    real_settle = bulk._Ingestor.settle

    def crash_after_two(self: bulk._Ingestor, *args: object) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt  # the operator stops the run
        real_settle(self, *args)  # type: ignore[arg-type]

    mp.setattr(bulk._Ingestor, "settle", crash_after_two)
    with pytest.raises(KeyboardInterrupt):
        ingest_files(settings, [path], client_name="lifelong-synth", progress=False)
    mp.setattr(bulk._Ingestor, "settle", real_settle)
    resumed = ingest_files(settings, [path], client_name="lifelong-synth", progress=False)
    # Chunks 1-2 were checkpointed; chunk 3 was committed but not checkpointed: duplicates.
    assert resumed.stored + resumed.duplicates == 15
    assert _count(settings) == 35


def test_statements_without_id_get_content_ids(settings: Settings) -> None:
    """Id-less statements get an id derived from their content: re-sending stores nothing."""
    first = ingest_statements(
        settings, [statement(), statement(timestamp="2026-01-01T00:00:00Z")], client_name="x"
    )
    again = ingest_statements(settings, [statement()], client_name="x")
    assert (first.stored, again.stored, again.duplicates) == (2, 0, 1)


def test_ids_minted_in_one_millisecond_are_told_apart_by_their_whole_value(
    settings: Settings,
) -> None:
    """Version 7 ids of one moment share most of their high half: each is still its own
    statement, a repeat is a duplicate and a changed repeat a conflict."""
    ids = [named_uuid7(uuid.NAMESPACE_URL, 1_764_460_800_000, str(n)) for n in range(3000)]
    assert len({id_halves(i)[0] for i in ids}) < len(ids)  # high halves do repeat
    first = ingest_statements(settings, [{**statement(), "id": i} for i in ids], client_name="x")
    assert first.stored == 3000
    again = ingest_statements(
        settings,
        [{**statement(), "id": ids[0]}, {**statement(verb={"id": "http://x.org/v"}), "id": ids[1]}],
        client_name="x",
    )
    assert (again.stored, again.duplicates, len(again.rejected)) == (0, 1, 1)
    assert _count(settings) == 3000


def test_ingest_statements_then_visible_over_http(
    settings: Settings, client: TestClient, headers_for: object
) -> None:
    """Statements from an iterable are stored under the named client's authority."""
    report = ingest_statements(
        settings,
        ({**statement(), "id": str(uuid.uuid4())} for _ in range(3)),
        client_name="lifelong-platform",
    )
    assert report.stored == 3 and not report.rejected
    headers = headers_for()  # type: ignore[operator]
    found = client.get("/xapi/statements", headers=headers).json()["statements"]
    assert {s["authority"]["account"]["name"] for s in found} == {"lifelong-platform"}


def test_chunks_validated_elsewhere_store_like_any_other(settings: Settings) -> None:
    """validate_chunk + ingest_validated (validation where the statements are built)
    rejects what ingest_statements rejects, survives pickling, and slices big chunks."""
    client = bulk.bulk_client(settings, "lifelong-platform")
    extension = bulk.branch_extension(settings)
    good = [(f"s{i}", {**statement(), "id": str(uuid.uuid4())}) for i in range(7)]
    bad = ("bad", statement(verb={"id": "not an iri"}))
    validated = bulk.validate_chunk(
        [*good, bad, ("junk", "not valid JSON: x")], client, "1.0.3", extension
    )
    assert [where for where, _ in validated.rejected] == ["bad", "junk"]
    shipped = pickle.loads(pickle.dumps(validated))
    assert [r.body for r in shipped.records] == [r.body for r in validated.records]
    assert shipped.records == validated.records  # every field survives the crossing
    assert shipped.records[0].keys == validated.records[0].keys
    mp = pytest.MonkeyPatch()
    mp.setattr(bulk, "CHUNK_LINES", 3)  # three transactions: 3 + 3 + 1
    try:
        report = bulk.ingest_validated(settings, [shipped], client_name="lifelong-platform")
    finally:
        mp.undo()
    assert (report.stored, len(report.rejected)) == (7, 2)
    assert _count(settings) == 7
    again = bulk.ingest_validated(settings, [validated], client_name="lifelong-platform")
    assert (again.stored, again.duplicates) == (0, 7)
    with pytest.raises(ValueError, match="another client"):
        bulk.ingest_validated(settings, [validated], client_name="someone-else")
