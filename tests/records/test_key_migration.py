"""lrs_0004: statements stored before the key indexes get their keys and stay findable."""

from __future__ import annotations

import uuid

from alembic import command
from alembic.config import Config
from sqlalchemy import text

from lifelong.config import Settings
from lifelong.records import query as statement_query
from lifelong.records.credentials import XapiClient
from lifelong.records.records import index_key
from lifelong.records.repository import StatementRepository
from lifelong.records.store import MIGRATIONS_DIR, make_store_engine

ACTOR = "account::https://lifelong.example.org::42"
VERB = "http://adlnet.gov/expapi/verbs/completed"
ACTIVITY = "https://lifelong.example.org/resources/7"


def _upgrade(engine: object, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    command.upgrade(config, revision)


def test_keys_are_filled_for_statements_stored_before(settings: Settings) -> None:
    engine = make_store_engine(settings)
    try:
        _upgrade(engine, "lrs_0003")
        registration = str(uuid.uuid4())
        with engine.begin() as connection:
            for seq, verb in enumerate([VERB, "http://adlnet.gov/expapi/verbs/launched"], 1):
                statement_id = str(uuid.uuid4())
                connection.execute(
                    text(
                        "INSERT INTO lrs_statements (seq, statement_id, stored, timestamp, "
                        "verb_id, actor_ifi, object_type, activity_id, registration, "
                        "authority_ifi, voided, client, version, content_hash, attachments, "
                        "statement) VALUES (:seq, :id, :at, :at, :verb, :actor, 'Activity', "
                        ":activity, :registration, 'account::x::lrs', false, 'lrs', '1.0.3', "
                        "'h', false, :statement)"
                    ),
                    {
                        "seq": seq,
                        "id": statement_id,
                        "at": f"2026-01-0{seq}T00:00:00.000000Z",
                        "verb": verb,
                        "actor": ACTOR,
                        "activity": ACTIVITY,
                        "registration": registration,
                        "statement": f'{{"id":"{statement_id}"}}',
                    },
                )
        _upgrade(engine, "head")
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT actor_key, verb_key, activity_key, registration_key, authority_key, "
                    "object_key, verb_id FROM lrs_statements ORDER BY seq"
                )
            ).all()
        assert rows[0][:5] == (
            index_key(ACTOR),
            index_key(VERB),
            index_key(ACTIVITY),
            index_key(registration),
            index_key("account::x::lrs"),
        )
        assert rows[0][5] is None  # no object agent: no key
        client = XapiClient(name="lrs", scopes=frozenset({"all"}), branch_code=None, authority={})
        page = statement_query.query(
            StatementRepository(engine),
            client,
            {
                "agent": '{"account": {"homePage": "https://lifelong.example.org", "name": "42"}}',
                "verb": VERB,
                "activity": ACTIVITY,
                "registration": registration,
            },
            max_limit=10,
        )
        assert len(page.statements) == 1
    finally:
        engine.dispose()
