"""Filtered queries over many segments give what a scan of every statement gives.

The filter indexes lead with the statement's segment (``tables.SEGMENT_BITS``) and a
query asks the segments in growing windows. Here segments hold 4 statements (not 8 192)
so that 150 statements span 38 segments and every page crosses windows; each query,
followed through its ``more`` links, must return exactly the statements a brute-force
filter over all of them returns, in the same order.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
from sqlalchemy import Engine

from lifelong.config import Settings
from lifelong.records import query as statement_query
from lifelong.records.credentials import XapiClient
from lifelong.records.records import build_record, ifi_key
from lifelong.records.repository import Batch, StatementRepository
from lifelong.records.store import open_store
from lifelong.records.validation import check_statements
from tests.records.conftest import small_segments

AUTHORITY = {"objectType": "Agent", "account": {"homePage": "https://x.example", "name": "lrs"}}
CLIENT = XapiClient(name="lrs", scopes=frozenset({"all"}), branch_code=None, authority=AUTHORITY)
AGENTS = [{"mbox": f"mailto:learner{i}@example.org"} for i in range(6)]
VERBS = [f"http://adlnet.gov/expapi/verbs/{v}" for v in ("completed", "launched", "passed")]
ACTIVITIES = [f"https://lifelong.example.org/resources/{i}" for i in range(5)]
REGISTRATIONS = [str(uuid.uuid4()) for _ in range(3)]
BITS = 2


def _statement(rng: random.Random) -> dict[str, Any]:
    stmt: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "actor": rng.choice(AGENTS),
        "verb": {"id": rng.choice(VERBS)},
        "object": {"id": rng.choice(ACTIVITIES)},
    }
    if rng.random() < 0.2:
        stmt["object"] = {"objectType": "Agent", **rng.choice(AGENTS)}
    context: dict[str, Any] = {}
    if rng.random() < 0.6:
        context["registration"] = rng.choice(REGISTRATIONS)
    if rng.random() < 0.3:
        context["instructor"] = rng.choice(AGENTS)
    if rng.random() < 0.4:
        context["contextActivities"] = {"parent": [{"id": rng.choice(ACTIVITIES)}]}
    if context:
        stmt["context"] = context
    return stmt


@pytest.fixture
def store(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """A store whose segments hold 4 statements (writer and query agree on it)."""
    small_segments(monkeypatch, BITS)
    engine = open_store(settings)
    yield engine
    engine.dispose()


def _fill(engine: Engine) -> list[dict[str, Any]]:
    """150 statements in 25 commits (distinct ``stored``), some voided; as stored."""
    rng = random.Random(7)
    repository = StatementRepository(engine)
    kept: list[dict[str, Any]] = []
    try:
        for _ in range(25):
            statements = check_statements([_statement(rng) for _ in range(6)], "1.0.3")
            records = [build_record(s, CLIENT, "1.0.3", "x") for s in statements]
            repository.write(
                [
                    Batch(
                        records=records,
                        client="lrs",
                        authority_ifi=ifi_key(AUTHORITY),
                        version="1.0.3",
                    )
                ]
            )
            for record in records:
                kept.append({**record.statement, "stored": record.stored, "seq": record.seq})
            time.sleep(0.002)
        targets = rng.sample([s["id"] for s in kept], 10)
        voiding = [
            {
                "actor": AGENTS[0],
                "verb": {"id": "http://adlnet.gov/expapi/verbs/voided"},
                "object": {"objectType": "StatementRef", "id": target},
            }
            for target in targets
        ]
        records = [
            build_record(s, CLIENT, "1.0.3", "x") for s in check_statements(voiding, "1.0.3")
        ]
        repository.write(
            [
                Batch(
                    records=records, client="lrs", authority_ifi=ifi_key(AUTHORITY), version="1.0.3"
                )
            ]
        )
        for record in records:
            kept.append({**record.statement, "stored": record.stored, "seq": record.seq})
        for stmt in kept:
            stmt["voided"] = stmt["id"] in targets
    finally:
        repository.close()
    return kept


def _agents_of(stmt: dict[str, Any], related: bool) -> set[str]:
    found = {ifi_key(stmt["actor"])}
    if stmt["object"].get("objectType") == "Agent":
        found.add(ifi_key(stmt["object"]))
    if related:
        found.add(ifi_key(AUTHORITY))
        instructor = stmt.get("context", {}).get("instructor")
        if instructor:
            found.add(ifi_key(instructor))
    return found


def _activities_of(stmt: dict[str, Any], related: bool) -> set[str]:
    found = set()
    if stmt["object"].get("objectType", "Activity") == "Activity":
        found.add(stmt["object"]["id"])
    if related:
        for item in stmt.get("context", {}).get("contextActivities", {}).get("parent", []):
            found.add(item["id"])
    return found


def _expected(kept: list[dict[str, Any]], params: dict[str, str]) -> list[str]:
    related_agents = params.get("related_agents") == "true"
    related_activities = params.get("related_activities") == "true"
    out = []
    for stmt in kept:
        if stmt["voided"]:
            continue
        if "agent" in params and ifi_key(orjson.loads(params["agent"])) not in _agents_of(
            stmt, related_agents
        ):
            continue
        if "verb" in params and stmt["verb"]["id"] != params["verb"]:
            continue
        if "activity" in params and params["activity"] not in _activities_of(
            stmt, related_activities
        ):
            continue
        if "registration" in params and (
            stmt.get("context", {}).get("registration") != params["registration"]
        ):
            continue
        if "since" in params and not stmt["stored"] > params["since"]:
            continue
        if "until" in params and not stmt["stored"] <= params["until"]:
            continue
        out.append(stmt)
    out.sort(key=lambda s: s["seq"], reverse=params.get("ascending") != "true")
    return [s["id"] for s in out]


def _pages(engine: Engine, params: dict[str, str]) -> list[str]:
    """Every statement id the query returns, following its more links."""
    repository = StatementRepository(engine)
    got: list[str] = []
    page = statement_query.query(repository, CLIENT, params, max_limit=50)
    while True:
        got += [orjson.loads(text)["id"] for text in page.statements]
        if not page.more:
            return got
        cursor_params, seq = statement_query.decode_cursor(page.more.split("cursor=")[1])
        page = statement_query.query(
            repository, CLIENT, cursor_params, max_limit=50, cursor_seq=seq
        )


def test_windows_over_segments_match_a_full_scan(store: Engine) -> None:
    kept = _fill(store)
    assert kept[-1]["seq"] >> BITS > 30, "the statements span many segments"
    stamps = sorted({s["stored"] for s in kept})
    rng = random.Random(3)
    for _ in range(250):
        params: dict[str, str] = {}
        if rng.random() < 0.5:
            params["agent"] = orjson.dumps(rng.choice(AGENTS)).decode()
            if rng.random() < 0.4:
                params["related_agents"] = "true"
        if rng.random() < 0.4:
            params["verb"] = rng.choice(VERBS)
        if rng.random() < 0.4:
            params["activity"] = rng.choice(ACTIVITIES)
            if rng.random() < 0.5:
                params["related_activities"] = "true"
        if rng.random() < 0.3:
            params["registration"] = rng.choice(REGISTRATIONS)
        if rng.random() < 0.3:
            params["since"] = rng.choice(stamps)
        if rng.random() < 0.3:
            params["until"] = rng.choice(stamps)
        if rng.random() < 0.5:
            params["ascending"] = "true"
        params["limit"] = str(rng.choice([1, 2, 3, 7, 50]))
        assert _pages(store, params) == _expected(kept, params), params
