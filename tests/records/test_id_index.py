"""The SQLite id index (records.id_index): every stored id is found, whether its segment
is merged or not, by the writer (duplicates and conflicts) and by readers, across
writers, merges, failed writes and the lrs_0006 migration."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, inspect, text

from lifelong.config import Settings
from lifelong.records import id_index
from lifelong.records import query as statement_query
from lifelong.records.credentials import XapiClient
from lifelong.records.records import build_record, ifi_key
from lifelong.records.repository import Batch, BatchOutcome, StatementRepository
from lifelong.records.store import open_store
from lifelong.records.validation import VOIDED, check_statements
from lifelong.records.writer import StatementWriter
from tests.records.conftest import small_segments

BITS = 2  # segments of 4 statements
MERGE = 3  # segments gathered before a merge
AUTHORITY = {"objectType": "Agent", "account": {"homePage": "https://x.example", "name": "lrs"}}
CLIENT = XapiClient(name="lrs", scopes=frozenset({"all"}), branch_code=None, authority=AUTHORITY)


@pytest.fixture
def store(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """A SQLite store with tiny segments and merges every few segments."""
    if settings.resolved_lrs_database_url.startswith("postgresql"):
        pytest.skip("the id index is SQLite's (PostgreSQL keeps a unique index)")
    small_segments(monkeypatch, BITS)
    monkeypatch.setattr(id_index, "MERGE_SEGMENTS", MERGE)
    engine = open_store(settings)
    yield engine
    engine.dispose()


def _statement(statement_id: str, n: int, verb: str = "completed") -> dict[str, Any]:
    return {
        "id": statement_id,
        "actor": {"mbox": f"mailto:learner{n % 7}@example.org"},
        "verb": {"id": f"http://adlnet.gov/expapi/verbs/{verb}"},
        "object": {"id": f"https://lifelong.example.org/resources/{n}"},
    }


def _batch(statements: list[dict[str, Any]]) -> Batch:
    records = [build_record(s, CLIENT, "1.0.3", "x") for s in check_statements(statements, "1.0.3")]
    return Batch(records=records, client="lrs", authority_ifi=ifi_key(AUTHORITY), version="1.0.3")


def _write(writer: StatementWriter, statements: list[dict[str, Any]]) -> BatchOutcome:
    return writer.submit(_batch(statements)).result(timeout=30)


def _merged_seq(repository: StatementRepository) -> int:
    return int(repository.fetch("SELECT merged_seq FROM lrs_id_merge")[0][0])


def test_writers_and_readers_find_every_id_through_merges(store: Engine) -> None:
    """A random run against a model: new ids are stored once, a repeat with the same
    content is a duplicate and with other content a conflict, whichever of two writers
    stored it and whether or not its segment was merged since; readers find each one."""
    rng = random.Random(7)
    writers = [StatementWriter(StatementRepository(store)) for _ in range(2)]
    reader = StatementRepository(store)
    model: dict[str, int] = {}  # id -> the n of its content
    try:
        for step in range(120):
            writer = writers[rng.randrange(2)]
            statements, expected_conflict = [], False
            for _ in range(rng.randrange(1, 9)):
                if model and rng.random() < 0.2:
                    old = rng.choice(sorted(model))
                    if rng.random() < 0.5:
                        statements.append(_statement(old, model[old]))
                    else:
                        statements.append(_statement(old, model[old] + 1000))
                        expected_conflict = True
                else:
                    statements.append(_statement(str(uuid.uuid4()), step))
            if len({s["id"] for s in statements}) < len(statements):
                continue  # a repeat inside one batch is refused before the writer
            outcome = _write(writer, statements)
            if expected_conflict:
                assert outcome.conflict is not None, step
                continue
            assert outcome.conflict is None, outcome.conflict
            fresh = [s for s in statements if s["id"] not in model]
            assert (outcome.stored, outcome.duplicates) == (
                len(fresh),
                len(statements) - len(fresh),
            )
            for s in fresh:
                model[s["id"]] = int(s["object"]["id"].rsplit("/", 1)[1])
        stored = reader.fetch("SELECT statement_id FROM lrs_statements")
        assert sorted(r[0] for r in stored) == sorted(model)  # each id exactly once
        merged = _merged_seq(reader)
        assert merged >= MERGE << BITS, "the run merged segments"
        in_table = reader.fetch("SELECT count(*) FROM lrs_statement_ids")[0][0]
        assert (
            in_table
            == reader.fetch("SELECT count(*) FROM lrs_statements WHERE seq <= ?", (merged,))[0][0]
        )
        for statement_id in model:
            page = statement_query.get_one(reader, CLIENT, statement_id.upper(), voided=False)
            assert f'"{statement_id}"' in page.statements[0]
        assert reader.statement_seq(str(uuid.uuid4())) is None
    finally:
        for writer in writers:
            writer.close()
        reader.close()


def test_a_voided_statement_is_found_in_any_part_of_the_index(store: Engine) -> None:
    writer = StatementWriter(StatementRepository(store))
    reader = StatementRepository(store)
    try:
        early = [str(uuid.uuid4()) for _ in range(3)]
        _write(writer, [_statement(i, n) for n, i in enumerate(early)])
        for n in range(10):  # enough to seal and merge the early segments
            _write(writer, [_statement(str(uuid.uuid4()), n) for _ in range(4)])
        assert _merged_seq(reader) >= 3
        same_group = str(uuid.uuid4())
        voiding = [
            {
                "actor": {"mbox": "mailto:admin@example.org"},
                "verb": {"id": VOIDED},
                "object": {"objectType": "StatementRef", "id": target},
            }
            for target in (early[0], same_group)
        ]
        _write(writer, [_statement(same_group, 1), *voiding])
        for target in (early[0], same_group):
            voided = statement_query.get_one(reader, CLIENT, target, voided=True)
            assert target in voided.statements[0]
        statement_query.get_one(reader, CLIENT, early[1], voided=False)
    finally:
        writer.close()
        reader.close()


def test_a_failed_write_leaves_nothing_behind(
    store: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    repository = StatementRepository(store)
    reader = StatementRepository(store)
    try:
        kept = str(uuid.uuid4())
        repository.write([_batch([_statement(kept, 1)])])
        lost = str(uuid.uuid4())

        def fail(*_args: object) -> None:
            raise OSError("disk full")

        original = StatementRepository._insert_sqlite
        monkeypatch.setattr(StatementRepository, "_insert_sqlite", fail)
        with pytest.raises(OSError):
            repository.write([_batch([_statement(lost, 2)])])
        monkeypatch.setattr(StatementRepository, "_insert_sqlite", original)
        assert reader.statement_seq(lost) is None
        # The failed id is new again, the kept one still a duplicate.
        outcome = repository.write([_batch([_statement(lost, 2), _statement(kept, 1)])])[0]
        assert (outcome.stored, outcome.duplicates) == (1, 1)
    finally:
        repository.close()
        reader.close()


def test_the_migration_moves_stored_ids_and_keeps_every_index(settings: Settings) -> None:
    if settings.resolved_lrs_database_url.startswith("postgresql"):
        pytest.skip("lrs_0006 changes only SQLite stores")
    from alembic import command
    from alembic.config import Config

    from lifelong.records.store import MIGRATIONS_DIR
    from tests.records.test_id_migration import _upgrade

    engine = open_store(settings)
    try:
        repository = StatementRepository(engine)
        ids = [str(uuid.uuid4()) for _ in range(5)]
        repository.write([_batch([_statement(i, n) for n, i in enumerate(ids)])])
        repository.close()
        with engine.connect() as connection:
            before = {
                row[0]: row[1]
                for row in connection.execute(
                    text("SELECT name, sql FROM sqlite_master WHERE type = 'index'")
                )
            }
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        config.attributes["engine"] = engine
        command.downgrade(config, "lrs_0005")  # back to the unique index (lrs_0005)
        with engine.connect() as connection:
            names = {i["name"] for i in inspect(connection).get_indexes("lrs_statements")}
            assert "ix_lrs_statements_id" not in names
            unique = inspect(connection).get_unique_constraints("lrs_statements")
            assert [u["column_names"] for u in unique] == [["id_hi", "id_lo"]]
        _upgrade(engine, "head")
        with engine.connect() as connection:
            after = {
                row[0]: row[1]
                for row in connection.execute(
                    text("SELECT name, sql FROM sqlite_master WHERE type = 'index'")
                )
            }
            assert after == before  # the same indexes, partial conditions and all
            assert not any("uq_lrs_statements_id" in (sql or "") for sql in after.values())
            merged = connection.execute(text("SELECT merged_seq FROM lrs_id_merge")).scalar()
            assert merged == 5
        repository = StatementRepository(engine)
        outcome = repository.write([_batch([_statement(ids[2], 2), _statement(ids[3], 99)])])[0]
        assert outcome.conflict is not None and ids[3] in outcome.conflict
        assert repository.statement_seq(ids[4]) == 5
        repository.close()
    finally:
        engine.dispose()
