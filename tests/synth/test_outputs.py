"""What the generated university holds downstream: LRS, lake, branch records, structure."""

from __future__ import annotations

import base64
import uuid
from collections import Counter

import orjson
import pyarrow as pa
from deltalake import DeltaTable
from fastapi.testclient import TestClient
from sqlalchemy import text

from lifelong.app import create_app
from lifelong.config import Settings
from lifelong.db.engine import make_engine, make_session_factory, transaction
from lifelong.learning.xapi import extension
from lifelong.records.credentials import create_credential
from lifelong.records.export import table_path
from lifelong.synth.branch_records import GRADE_COLUMNS, ROSTER_COLUMNS, table_paths
from lifelong.synth.scales import scale_named
from lifelong.synth.service import GenerateReport
from lifelong.synth.world import as_of_moment
from tests.synth.conftest import AS_OF

Tiny = tuple[Settings, GenerateReport]


def _rows(settings: Settings, sql: str) -> list[tuple]:
    engine = make_engine(settings.resolved_database_url)
    try:
        with engine.connect() as connection:
            return [tuple(r) for r in connection.execute(text(sql))]
    finally:
        engine.dispose()


def test_statements_are_valid_and_found_through_the_xapi_api(tiny: Tiny) -> None:
    settings, _ = tiny
    engine = make_engine(settings.resolved_database_url)
    with transaction(make_session_factory(engine)) as session:
        _credential, key, secret = create_credential(session, name="reader", scopes="all")
    engine.dispose()
    auth = "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()
    headers = {"Authorization": auth, "X-Experience-API-Version": "1.0.3"}
    registration = _rows(
        settings,
        "SELECT registration FROM enrolments WHERE user_id = 5 AND status = 'completed' LIMIT 1",
    )[0][0]
    with TestClient(create_app(settings)) as client:
        response = client.get(
            "/xapi/statements", params={"registration": registration}, headers=headers
        )
        assert response.status_code == 200, response.text
        found = response.json()["statements"]
    verbs = [s["verb"]["display"]["en-US"] for s in found]
    assert "registered" in verbs and "completed" in verbs and "earned" in verbs
    assert {s["actor"]["account"]["name"] for s in found} == {"5"}
    branch = "https://lifelong.example.org/xapi/extensions/branch"
    assert {s["context"]["extensions"][branch] for s in found} == {"BJ"}


def test_verbs_fit_resource_types(tiny: Tiny) -> None:
    settings, _ = tiny
    engine = make_engine(settings.resolved_lrs_database_url)
    with engine.connect() as connection:
        pairs = connection.execute(
            text(
                "SELECT json_extract(statement, '$.object.definition.type'), verb_id "
                "FROM lrs_statements"
            )
        ).all()
    engine.dispose()
    by_type: dict[str, set[str]] = {}
    for kind, verb in pairs:
        by_type.setdefault(kind.rsplit("/", 1)[-1], set()).add(verb.rsplit("/", 1)[-1])
    assert {"played", "paused"} <= by_type["video"]
    assert {"scored"} <= by_type["assessment"] and by_type["assessment"] & {"passed", "failed"}
    assert "attended" in by_type["meeting"]
    assert "experienced" in by_type["document"] | by_type["book"]
    assert "played" not in by_type["course"]
    assert "unregistered" in set().union(*by_type.values())


def test_the_lake_holds_every_statement(tiny: Tiny) -> None:
    """Every statement, its JSON exactly as the store keeps it (Chinese titles included)."""
    settings, report = tiny
    lake = DeltaTable(str(table_path(settings))).to_pyarrow_table(columns=["seq", "statement"])
    assert lake.num_rows == report.statements
    engine = make_engine(settings.resolved_lrs_database_url)
    with engine.connect() as connection:
        stored = dict(connection.execute(text("SELECT seq, statement FROM lrs_statements")).all())
    engine.dispose()
    exported = dict(zip(lake["seq"].to_pylist(), lake["statement"].to_pylist(), strict=True))
    assert exported == stored
    assert any(not body.isascii() for body in stored.values())


def test_only_the_earned_statements_name_their_certificates(tiny: Tiny) -> None:
    """An enrolment's statements share one context object as they are built; the
    certificate extension goes on the ``earned`` statement's own copy alone."""
    settings, _ = tiny
    engine = make_engine(settings.resolved_lrs_database_url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT verb_id, statement FROM lrs_statements")).all()
    engine.dispose()
    certificate = extension(settings.iri_base, "certificate")
    naming = Counter(
        verb for verb, body in rows if certificate in orjson.loads(body)["context"]["extensions"]
    )
    [(certificates,)] = _rows(settings, "SELECT count(*) FROM certificates")
    assert naming == {"http://id.tincanapi.com/verb/earned": certificates} and certificates


def test_branch_records_have_exactly_the_c4_columns_as_strings(tiny: Tiny) -> None:
    settings, _ = tiny
    paths = table_paths(settings)
    for name, columns in (("rosters", ROSTER_COLUMNS), ("grades", GRADE_COLUMNS)):
        table = DeltaTable(str(paths[name])).to_pyarrow_table()
        assert table.column_names == list(columns)
        assert all(field.type == pa.string() for field in table.schema)
        assert table.num_rows > 0, name
    rosters = DeltaTable(str(paths["rosters"])).to_pyarrow_table().to_pylist()
    users = {str(r[0]) for r in _rows(settings, "SELECT id FROM users")}
    linked = [r for r in rosters if r["user_id"]]
    assert linked and all(r["user_id"] in users for r in linked)
    assert {r["status"] for r in rosters} <= {"enrolled", "suspended", "graduated", "withdrawn"}
    assert all(r["submitted_at"].endswith("+08:00") for r in rosters)


def test_interests_predict_enrolment_subjects_far_better_than_chance(tiny: Tiny) -> None:
    settings, _ = tiny
    rows = _rows(
        settings,
        """
        SELECT p.interests, s.code FROM enrolments e
        JOIN learner_profiles p ON p.user_id = e.user_id
        JOIN resources r ON r.id = e.resource_id JOIN subjects s ON s.id = r.subject_id
        WHERE e.user_id >= 10000""",
    )
    topics = _rows(settings, "SELECT count(*) FROM subjects WHERE code LIKE '%.%.%'")[0][0]
    import json

    hits = sum(code in json.loads(interests) for interests, code in rows)
    chance = 3 / topics
    assert hits / len(rows) > 8 * chance, (hits / len(rows), chance)


def test_popularity_is_long_tailed(tiny: Tiny) -> None:
    settings, _ = tiny
    counts = sorted(
        (n for (n,) in _rows(settings, "SELECT enrolment_count FROM resources")), reverse=True
    )
    top_tenth = sum(counts[: len(counts) // 10])
    assert top_tenth > 0.25 * sum(counts)  # uniform would be 10 %


def test_rhythms_show_an_evening_peak_and_outcomes_vary_by_type(tiny: Tiny) -> None:
    settings, _ = tiny
    engine = make_engine(settings.resolved_lrs_database_url)
    with engine.connect() as connection:
        stamps = [r[0] for r in connection.execute(text("SELECT timestamp FROM lrs_statements"))]
    engine.dispose()
    hours = Counter((int(s[11:13]) + 8) % 24 for s in stamps)  # local (UTC+8) hour
    assert sum(hours[h] for h in (19, 20, 21)) > 2 * sum(hours[h] for h in (2, 3, 4)) + 1
    assert max(s for s in stamps) < "2026-11-30"
    rates = dict(
        _rows(
            settings,
            """
        SELECT r.type, avg(CASE WHEN e.status = 'completed' THEN 1.0 ELSE 0 END)
        FROM enrolments e JOIN resources r ON r.id = e.resource_id GROUP BY r.type""",
        )
    )
    assert rates["live_session"] > rates["course"]


def test_catalogue_search_finds_generated_resources_at_once(tiny: Tiny) -> None:
    from sqlalchemy.orm import Session

    from lifelong.learning.catalog.search import SearchParams, search

    settings, _ = tiny
    (topic_zh, topic_en), *_ = _rows(
        settings,
        """
        SELECT s.name_zh, s.name_en FROM resources r JOIN subjects s ON s.id = r.subject_id
        GROUP BY s.id ORDER BY count(*) DESC LIMIT 1""",
    )
    engine = make_engine(settings.resolved_database_url)
    with Session(engine) as session:
        zh = search(session, settings, SearchParams(q=topic_zh))
        en = search(session, settings, SearchParams(q=topic_en))
    engine.dispose()
    assert zh.total > 0 and en.total > 0


def test_statement_ids_are_version_7_one_millisecond_a_chunk(tiny: Tiny) -> None:
    """Each chunk's ids are minted at one millisecond of the as-of day (so each chunk fills
    one narrow stretch of the store's unique id index), the demo learner's just before."""
    settings, _ = tiny
    engine = make_engine(settings.resolved_lrs_database_url)
    with engine.connect() as connection:
        ids = [r[0] for r in connection.execute(text("SELECT statement_id FROM lrs_statements"))]
    engine.dispose()
    minted = Counter(uuid.UUID(i).int >> 80 for i in ids)
    assert {uuid.UUID(i).version for i in ids} == {7}
    as_of_ms = int(as_of_moment(AS_OF).timestamp() * 1000)
    chunks = scale_named("tiny").chunks
    assert set(minted) <= {as_of_ms + n for n in range(chunks + 1)}
    assert as_of_ms in minted and len(minted) > 1
