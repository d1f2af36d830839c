"""Statements that share objects are validated exactly as statements that do not.

The generator's statements about one enrolment hold the same actor, object and context
objects, and ``validate_chunk`` checks each shared object once (``validation.Shared``).
Whatever the sharing, a chunk must get the outcome it gets when every statement is its
own deep copy: the same rejections with the same messages, the same records.
"""

from __future__ import annotations

import copy
import uuid
from typing import Any
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from lifelong.records.bulk import validate_chunk
from lifelong.records.credentials import XapiClient
from lifelong.records.validation import VOIDED, Shared, StatementError, validator

CLIENT = XapiClient(
    name="shared-test",
    scopes=frozenset({"all"}),
    branch_code=None,
    authority={"objectType": "Agent", "account": {"homePage": "https://x.example", "name": "t"}},
)
EXT = "https://x.example/xapi/extensions/branch"

ACTORS: list[Any] = [
    {"objectType": "Agent", "mbox": "mailto:a@example.org"},
    {"objectType": "Agent", "account": {"homePage": "https://x.example", "name": "7"}},
    {"mbox": "mailto:a@example.org", "openid": "https://id.example/a"},  # two IFIs
    {"objectType": "Agent", "mbox": "a@example.org"},  # not a mailto IRI
]
VERBS: list[Any] = [
    {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en-US": "completed"}},
    {"id": "not an iri"},
    {"id": VOIDED, "display": {"en-US": "voided"}},  # needs a StatementRef object
]
OBJECTS: list[Any] = [
    {"objectType": "Activity", "id": "https://x.example/resources/1"},
    {"objectType": "Agent", "mbox": "mailto:b@example.org"},
    {"objectType": "Activity", "id": "no scheme"},
    {"objectType": "StatementRef", "id": "6690e6c9-3ef0-4ed3-8b37-7f3964730bee"},
]
CONTEXTS: list[Any] = [
    None,
    # platform and revision: only for an Activity object (Data 2.4.6)
    {"platform": "Lifelong", "revision": "2", "extensions": {EXT: "BJ"}},
    {"registration": "ef5c5f2f-9d22-56e2-a4ea-da5bc32b0ee0"},
    {"registration": "not a uuid"},
    # a single Activity, which the LRS turns into an array (Data 2.4.6.2)
    {"contextActivities": {"parent": {"id": "https://x.example/programmes/1"}}},
]
RESULTS: list[Any] = [None, {"completion": True}, {"score": {"scaled": 3}}]

parts = st.tuples(
    st.integers(0, len(ACTORS) - 1),
    st.integers(0, len(VERBS) - 1),
    st.integers(0, len(OBJECTS) - 1),
    st.integers(0, len(CONTEXTS) - 1),
    st.integers(0, len(RESULTS) - 1),
)


def _statements(picks: list[tuple[int, int, int, int, int]]) -> list[dict[str, Any]]:
    """Statements holding the very same pool objects (shared, as the generator's are)."""
    pool = (copy.deepcopy(p) for p in (ACTORS, VERBS, OBJECTS, CONTEXTS, RESULTS))
    actors, verbs, objects, contexts, results = pool
    out = []
    for n, (a, v, o, c, r) in enumerate(picks):
        stmt = {
            "id": str(uuid.UUID(int=n + 1)),
            "actor": actors[a],
            "verb": verbs[v],
            "object": objects[o],
            "timestamp": "2026-11-30T08:00:00.000Z",
        }
        if contexts[c] is not None:
            stmt["context"] = contexts[c]
        if results[r] is not None:
            stmt["result"] = results[r]
        out.append(stmt)
    return out


def _outcome(statements: list[dict[str, Any]]) -> tuple[Any, ...]:
    validated = validate_chunk(
        ((f"line {n}", s) for n, s in enumerate(statements)), CLIENT, "1.0.3", EXT
    )
    records = [(r.statement_id, r.content_hash, r.body) for r in validated.records]
    return validated.rejected, records


@settings(max_examples=150, deadline=None)
@given(st.lists(parts, min_size=1, max_size=30), st.sampled_from([1, 2, 4096]))
def test_sharing_objects_never_changes_what_a_chunk_gets(
    picks: list[tuple[int, int, int, int, int]], limit: int
) -> None:
    """Shared or deep-copied, a chunk gets the same rejections and the same records, also
    when the memory of checked objects starts afresh every ``limit`` entries."""
    alone = [copy.deepcopy(s) for s in _statements(picks)]
    with mock.patch.object(Shared, "LIMIT", limit):
        shared = _outcome(_statements(picks))
    assert shared == _outcome(alone)


def test_an_invalid_shared_object_is_rejected_in_every_statement_holding_it() -> None:
    """An object is remembered only once it is valid."""
    bad_actor = ACTORS[2]
    statements = [
        {"actor": bad_actor, "verb": VERBS[0], "object": OBJECTS[0]},
        {"actor": bad_actor, "verb": VERBS[0], "object": OBJECTS[0]},
    ]
    rejected, records = _outcome(statements)
    assert [where for where, _ in rejected] == ["line 0", "line 1"]
    assert "exactly one of mbox" in rejected[1][1] and records == []


def test_a_context_valid_for_an_activity_is_checked_again_for_an_agent() -> None:
    """The context is remembered with the object type it was checked for: revision and
    platform are allowed with an Activity object only."""
    context = CONTEXTS[1]
    check = validator("1.0.3")
    shared = Shared()
    check.statement(
        {"actor": ACTORS[0], "verb": VERBS[0], "object": OBJECTS[0], "context": context},
        shared=shared,
    )
    try:
        check.statement(
            {"actor": ACTORS[0], "verb": VERBS[0], "object": OBJECTS[1], "context": context},
            shared=shared,
        )
    except StatementError as exc:
        assert "revision" in exc.message or "platform" in exc.message
    else:
        raise AssertionError("a context with revision was accepted for an Agent object")
