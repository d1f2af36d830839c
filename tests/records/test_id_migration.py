"""lrs_0005: statements stored under lrs_0004 get their id halves (and stay unique by id)
and their segment (and the filter indexes lead with it)."""

from __future__ import annotations

import uuid

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import exc, inspect, text

from lifelong.config import Settings
from lifelong.records import query as statement_query
from lifelong.records.credentials import XapiClient
from lifelong.records.records import build_record, id_halves
from lifelong.records.repository import Batch, StatementRepository
from lifelong.records.store import MIGRATIONS_DIR, make_store_engine
from lifelong.records.tables import SEGMENT_BITS

CLIENT = XapiClient(
    name="lrs",
    scopes=frozenset({"all"}),
    branch_code=None,
    authority={"objectType": "Agent", "account": {"homePage": "https://x.example", "name": "lrs"}},
)


def _upgrade(engine: object, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    command.upgrade(config, revision)


def _statement(statement_id: str) -> dict[str, object]:
    return {
        "id": statement_id,
        "actor": {"mbox": "mailto:learner@example.org"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
        "object": {"id": "https://lifelong.example.org/resources/7"},
    }


@pytest.mark.parametrize("high_bit", [False, True])
def test_ids_stored_before_get_their_halves(settings: Settings, high_bit: bool) -> None:
    engine = make_store_engine(settings)
    # Ids with the top bit set fold into negative 64-bit halves (both engines agree).
    ids = [str(uuid.uuid4()) for _ in range(3)]
    if high_bit:
        ids = ["f" + i[1:19] + "f" + i[20:] for i in ids]
    try:
        _upgrade(engine, "lrs_0004")
        with engine.begin() as connection:
            for seq, statement_id in enumerate(ids, 1):
                connection.execute(
                    text(
                        "INSERT INTO lrs_statements (seq, statement_id, stored, timestamp, "
                        "verb_id, actor_ifi, object_type, activity_id, authority_ifi, voided, "
                        "client, version, content_hash, attachments, statement) VALUES (:seq, "
                        ":id, :at, :at, 'http://adlnet.gov/expapi/verbs/completed', "
                        "'mbox::mailto:learner@example.org', 'Activity', "
                        "'https://lifelong.example.org/resources/7', 'account::x::lrs', false, "
                        "'lrs', '1.0.3', :hash, false, :statement)"
                    ),
                    {
                        "seq": seq,
                        "id": statement_id,
                        "at": f"2026-01-0{seq}T00:00:00.000000Z",
                        "hash": f"hash-{seq}",
                        "statement": f'{{"id":"{statement_id}"}}',
                    },
                )
        _upgrade(engine, "head")
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT statement_id, id_hi, id_lo, seg FROM lrs_statements ORDER BY seq")
            ).all()
            assert [(r[1], r[2]) for r in rows] == [id_halves(i) for i in ids]
            assert [r[3] for r in rows] == [seq >> SEGMENT_BITS for seq in (1, 2, 3)]
            indexes = {i["name"]: i for i in inspect(connection).get_indexes("lrs_statements")}
            assert indexes["ix_lrs_statements_actor"]["column_names"] == [
                "seg",
                "actor_key",
                "verb_key",
                "seq",
            ]
            columns = {c["name"]: c for c in inspect(connection).get_columns("lrs_statements")}
            assert not columns["seg"]["nullable"] and columns["seg"]["default"] is None
            if high_bit:
                assert all(r[1] < 0 for r in rows)
            names = {i["name"] for i in inspect(connection).get_indexes("lrs_statements")}
            assert {"ix_lrs_statements_actor", "ix_lrs_statements_voids"} <= names
            if engine.dialect.name == "sqlite":
                sql = connection.execute(
                    text("SELECT sql FROM sqlite_master WHERE name = 'ix_lrs_statements_voids'")
                ).scalar_one()
                assert "WHERE" in sql.upper()
        # The database itself refuses a second row with the same id: PostgreSQL's unique
        # index; on SQLite (lrs_0006) the merged id table, which holds every migrated id.
        duplicate = (
            "INSERT INTO lrs_statements (seq, seg, statement_id, id_hi, id_lo, stored, "
            "timestamp, verb_id, actor_ifi, object_type, authority_ifi, voided, client, "
            "version, content_hash, attachments, statement) SELECT 99, 0, statement_id, "
            "id_hi, id_lo, stored, timestamp, verb_id, actor_ifi, object_type, "
            "authority_ifi, voided, client, version, content_hash, attachments, "
            "statement FROM lrs_statements WHERE seq = 1"
        )
        if engine.dialect.name == "sqlite":
            duplicate = "INSERT INTO lrs_statement_ids SELECT id_hi, id_lo, 99 FROM lrs_statements"
        with pytest.raises(exc.IntegrityError), engine.begin() as connection:
            connection.execute(text(duplicate))
        repository = StatementRepository(engine)
        page = statement_query.get_one(repository, CLIENT, ids[1].upper(), voided=False)
        assert page.statements == [f'{{"id":"{ids[1]}"}}']
        # A migrated statement sent again with other content is a conflict, a new one stored.
        again = build_record(_statement(ids[0]), CLIENT, "1.0.3", "x")
        fresh = build_record(_statement(str(uuid.uuid4())), CLIENT, "1.0.3", "x")
        outcome = repository.write(
            [Batch(records=[again, fresh], client="lrs", authority_ifi="a", version="1.0.3")]
        )[0]
        assert outcome.conflict is not None and ids[0] in outcome.conflict
        outcome = repository.write(
            [Batch(records=[fresh], client="lrs", authority_ifi="a", version="1.0.3")]
        )[0]
        assert outcome.stored == 1
        repository.close()
        # Down to lrs_0004 (the text unique again) and back up: the rows survive both ways.
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        config.attributes["engine"] = engine
        command.downgrade(config, "lrs_0004")
        with engine.connect() as connection:
            names = {c["name"] for c in inspect(connection).get_columns("lrs_statements")}
            assert "id_hi" not in names and "seg" not in names
        _upgrade(engine, "head")
        with engine.connect() as connection:
            count = connection.execute(text("SELECT count(*) FROM lrs_statements")).scalar_one()
            assert count == len(ids) + 1
    finally:
        engine.dispose()


def test_halves_are_exact() -> None:
    for text_id in ("00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff"):
        high, low = id_halves(text_id)
        assert -(2**63) <= high < 2**63 and -(2**63) <= low < 2**63
    a, b = str(uuid.uuid4()), str(uuid.uuid4())
    assert id_halves(a) != id_halves(b)
    assert id_halves(a.upper()) == id_halves(a)
    value = uuid.UUID(a).int
    high, low = id_halves(a)
    assert ((high % 2**64) << 64) | (low % 2**64) == value
