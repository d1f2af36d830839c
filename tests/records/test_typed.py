"""The typed decoding path accepts only what the hand validator accepts, and builds the same
records.

``records.typed`` decodes a POST body into msgspec structs and vouches for the common
statement shapes; anything else goes to the hand validator. If it ever vouched for a
statement the validator rejects, an invalid statement would be stored; if it built a
different record (hash, keys, row), a statement sent once through each path would be a
409 or land under other keys. Every case here is decoded both ways and compared.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import uuid
from typing import Any
from unittest import mock

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.lrs_data import statements as benchmark_statements
from lifelong.errors import BadRequest
from lifelong.records import typed
from lifelong.records.credentials import XapiClient
from lifelong.records.records import ROW_FIELDS, StatementRecord
from lifelong.records.service import prepare_body, prepare_payload
from lifelong.records.validation import VOIDED
from lifelong.records.versions import V2
from tests.records.test_statement_data import INVALID, VALID, nested

EXT = "https://x.example/xapi/extensions/branch"
CLIENT = XapiClient(
    name="typed-test",
    scopes=frozenset({"all"}),
    branch_code=None,
    authority={"objectType": "Agent", "account": {"homePage": "https://x.example", "name": "t"}},
)
BRANCH_CLIENT = dataclasses.replace(CLIENT, branch_code="GD")
VERSIONS = ("1.0.3", V2)
FIXED_ID = "0190f3a2-7b1c-7c3d-8e4f-123456789abc"
AGENT = {"objectType": "Agent", "mbox": "mailto:a@example.org", "name": "A"}

# Every property the typed path covers, each set once.
RICH: dict[str, Any] = {
    "id": "6690E6C9-3EF0-4ED3-8B37-7F3964730BEE",
    "actor": {"objectType": "Agent", "account": {"homePage": "https://x.example", "name": "7"}},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/scored", "display": {"en-US": "scored"}},
    "object": {
        "objectType": "Activity",
        "id": "https://x.example/resources/1",
        "definition": {
            "name": {"zh-CN": "课程", "en-US": "Course"},
            "description": {"en": "A course"},
            "type": "http://adlnet.gov/expapi/activities/course",
            "moreInfo": "https://x.example/more",
            "extensions": {"https://x.example/ext/level": {"n": [1, 2.5, "x", None, True]}},
        },
    },
    "result": {
        "score": {"scaled": 0.5, "raw": 5, "min": 0, "max": 10},
        "success": True,
        "completion": False,
        "response": "b",
        "duration": "PT1M2.5S",
        "extensions": {"https://x.example/ext/progress": 0.25},
    },
    "context": {
        "registration": "EF5C5F2F-9D22-56E2-A4EA-DA5BC32B0EE0",
        "instructor": {"mbox_sha1sum": "A" * 40},
        "team": {"objectType": "Group", "member": [AGENT, {"openid": "https://id.example/b"}]},
        "contextActivities": {
            "parent": [{"id": "https://x.example/programmes/1"}],
            "grouping": [{"objectType": "Activity", "id": "https://x.example/g"}],
            "category": [],
            "other": [{"id": "https://x.example/o", "definition": {"type": "https://x.example/t"}}],
        },
        "revision": "2",
        "platform": "Lifelong",
        "language": "zh-Hans-CN",
        "statement": {"objectType": "StatementRef", "id": "0c7e0c8a-1c31-4f4b-9c5b-0d3c2c1c0a11"},
        "extensions": {EXT: "BJ", "https://x.example/ext/n": 3},
    },
    "timestamp": "2026-03-01T08:00:00.123+08:00",
    "stored": "2026-03-01T08:00:01Z",
    "authority": {"objectType": "Group", "member": [AGENT, {"mbox": "mailto:c@example.org"}]},
    "version": "1.0.3",
}


def _dumps(statements: Any) -> bytes:
    """The JSON text of ``statements`` (integers of any size written exactly)."""
    return json.dumps(statements, ensure_ascii=False).encode()


def _slow(body: bytes, version: str, client: XapiClient) -> list[StatementRecord] | str:
    """The hand path's records, or the message it rejects the body with."""
    try:
        return prepare_payload(orjson.loads(body), client, version, EXT).records
    except orjson.JSONDecodeError as exc:
        return str(exc)
    except BadRequest as exc:
        return exc.message


def _fast(body: bytes, version: str, client: XapiClient) -> list[StatementRecord] | None:
    """The typed path's records, or None where it does not vouch."""
    decoded = typed.decode(body, version)
    if decoded is None:
        return None
    return typed.build_records(decoded, client, version, EXT)


def _comparable(record: StatementRecord) -> dict[str, Any]:
    """A record's fields, its JSON parsed (only the order of its keys may differ)."""
    values = {name: getattr(record, name) for name in ROW_FIELDS}
    values["body"] = orjson.loads(values["body"])
    values["row"] = [*record.row[:14], orjson.loads(record.row[14] + "}"), *record.row[15:]]
    values["related"] = (record.related_agents, record.related_activities)
    return values


def check_same(statements: Any, version: str, client: XapiClient = CLIENT) -> bool:
    """Both paths agree on ``statements``; True when the typed path vouched for them."""
    with (
        mock.patch("lifelong.records.typed.uuid7", return_value=FIXED_ID),
        mock.patch("lifelong.records.records.uuid7", return_value=FIXED_ID),
    ):
        fast = _fast(_dumps(statements), version, client)
        slow = _slow(_dumps(statements), version, client)
    if fast is None:
        return False
    assert not isinstance(slow, str), f"typed path vouched for a statement rejected: {slow}"
    assert [_comparable(r) for r in fast] == [_comparable(r) for r in slow]
    return True


@pytest.mark.parametrize("version", VERSIONS)
def test_rich_statement_takes_the_typed_path_with_the_same_record(version: str) -> None:
    assert check_same(RICH, version)
    assert check_same(RICH, version, BRANCH_CLIENT)
    assert check_same([RICH, {**RICH, "id": str(uuid.uuid4())}], version)


@pytest.mark.parametrize("version", VERSIONS)
def test_benchmark_and_platform_statements_take_the_typed_path(version: str) -> None:
    batch = list(benchmark_statements(300, seed=3))
    assert check_same(batch, version)
    without_ids = [{k: v for k, v in s.items() if k != "id"} for s in batch[:1]]
    assert check_same(without_ids, version)  # the id is assigned (uuid7) alike


@pytest.mark.parametrize("name", sorted(VALID))
@pytest.mark.parametrize("version", VERSIONS)
def test_valid_statements_agree(name: str, version: str) -> None:
    check_same(VALID[name], version)


@pytest.mark.parametrize("name", sorted(INVALID))
def test_invalid_statements_are_left_to_the_hand_validator(name: str) -> None:
    stmt = INVALID[name][0]  # invalid under 1.0.3 (some are valid 2.0)
    assert typed.decode(_dumps(stmt), "1.0.3") is None
    assert typed.decode(_dumps([RICH, stmt]), "1.0.3") is None
    check_same(stmt, V2)


@pytest.mark.parametrize(
    "changes",
    [
        # valid, but not a shape the types cover: the hand path accepts them
        {"context": {"contextActivities": {"parent": {"id": "https://x.example/p"}}}},
        {
            "object": {"objectType": "Agent", "mbox": "mailto:b@example.org"},
            "context": {"registration": "ef5c5f2f-9d22-56e2-a4ea-da5bc32b0ee0"},
        },
        {"result": {"extensions": {"https://x.example/e": 1e20}}},
        {"result": {"score": {"raw": 18446744073709551616}}},
        {"result": {"extensions": {"https://x.example/e": [{"big": -1e300}]}}},
    ],
)
def test_shapes_not_covered_go_to_the_hand_path(changes: dict[str, Any]) -> None:
    stmt = {**RICH, **changes}
    assert typed.decode(_dumps(stmt), "1.0.3") is None
    assert not isinstance(_slow(_dumps(stmt), "1.0.3", CLIENT), str)


GROUP = {"objectType": "Group", "member": [AGENT]}
CONTEXT = RICH["context"]
DEFINITION = RICH["object"]["definition"]
# Invalid statements one rule away from the rich one, each rule the typed path checks.
NEAR_MISSES: dict[str, dict[str, Any]] = {
    "agent with members": {"actor": {**AGENT, "member": []}},
    "agent without IFI": {"actor": {"name": "x"}},
    "mbox not mailto": {"actor": {"mbox": "a@example.org"}},
    "bad sha1": {"actor": {"mbox_sha1sum": "xyz"}},
    "openid not IRI": {"actor": {"openid": "no scheme"}},
    "account homePage not IRI": {"actor": {"account": {"homePage": "x", "name": "1"}}},
    "group with two IFIs": {
        "actor": {**GROUP, "mbox": "mailto:g@x.org", "openid": "https://id.example/g"}
    },
    "anonymous group, no members": {"actor": {"objectType": "Group", "member": []}},
    "group member a group": {"actor": {"objectType": "Group", "member": [GROUP]}},
    "authority group of one": {"authority": GROUP},
    "authority without IFI": {"authority": {"name": "x"}},
    "verb id not IRI": {"verb": {"id": "verb"}},
    "verb display tag": {"verb": {"id": VOIDED + "x", "display": {"english!": "x"}}},
    "voiding an activity": {"verb": {"id": VOIDED}},
    "activity id not IRI": {"object": {"id": "course 1"}},
    "definition type not IRI": {
        "object": {"id": "https://x.example/a", "definition": {**DEFINITION, "type": "t"}}
    },
    "definition moreInfo not IRI": {
        "object": {"id": "https://x.example/a", "definition": {"moreInfo": "m"}}
    },
    "definition description tag": {
        "object": {"id": "https://x.example/a", "definition": {"description": {"e_n": "x"}}}
    },
    "definition extension key": {
        "object": {"id": "https://x.example/a", "definition": {"extensions": {"level": 1}}}
    },
    "statementref with definition": {
        "object": {"objectType": "StatementRef", "id": RICH["id"], "definition": {}}
    },
    "statementref id not UUID": {"object": {"objectType": "StatementRef", "id": "x"}},
    "scaled below -1": {"result": {"score": {"scaled": -1.5}}},
    "raw below min": {"result": {"score": {"raw": -1, "min": 0}}},
    "min equals max": {"result": {"score": {"min": 1, "max": 1.0}}},
    "bad duration": {"result": {"duration": "PT"}},
    "result extension key": {"result": {"extensions": {"progress": 1}}},
    "registration not UUID": {"context": {**CONTEXT, "registration": "r"}},
    "instructor anonymous without members": {
        "context": {**CONTEXT, "instructor": {"objectType": "Group"}}
    },
    "team an agent": {"context": {**CONTEXT, "team": AGENT}},
    "context language": {"context": {**CONTEXT, "language": "english!"}},
    "context statement id": {
        "context": {**CONTEXT, "statement": {"objectType": "StatementRef", "id": "x"}}
    },
    "context extension key": {"context": {**CONTEXT, "extensions": {"branch": "BJ"}}},
    "context activity not IRI": {
        "context": {**CONTEXT, "contextActivities": {"parent": [{"id": "p"}]}}
    },
    "timestamp not a date": {"timestamp": "2026-02-30T08:00:00Z"},
    "timestamp hour 24": {"timestamp": "2026-03-01T24:00:00Z"},
    "timestamp -00:00": {"timestamp": "2026-03-01T08:00:00-00:00"},
    "stored not a time": {"stored": "yesterday"},
    "version 3.0": {"version": "3.0.0"},
    "id not a UUID": {"id": "6690e6c9"},
}


@pytest.mark.parametrize("name", sorted(NEAR_MISSES))
@pytest.mark.parametrize("version", VERSIONS)
def test_near_misses_are_left_to_the_hand_validator(name: str, version: str) -> None:
    stmt = {**RICH, **NEAR_MISSES[name]}
    assert isinstance(_slow(_dumps(stmt), version, CLIENT), str)  # invalid indeed
    assert typed.decode(_dumps(stmt), version) is None


def test_v2_only_properties_and_rules_follow_the_version() -> None:
    no_offset = {**RICH, "timestamp": "2026-03-01T08:00:00"}
    assert check_same(no_offset, "1.0.3")
    assert typed.decode(_dumps(no_offset), V2) is None  # 2.0 requires the offset
    v2_version = {**RICH, "version": "2.0.0"}
    assert check_same(v2_version, V2)
    assert typed.decode(_dumps(v2_version), "1.0.3") is None


def test_body_level_cases() -> None:
    assert typed.decode(b"[]", "1.0.3") is None  # the hand path names the empty array
    assert typed.decode(b"{not json", "1.0.3") is None
    assert typed.decode(_dumps(RICH), "1.0.3") is not None  # a single statement
    voiding = {
        "actor": AGENT,
        "verb": {"id": VOIDED},
        "object": {"objectType": "StatementRef", "id": "0c7e0c8a-1c31-4f4b-9c5b-0d3c2c1c0a11"},
    }
    assert check_same(voiding, "1.0.3")
    # an id twice in one batch: the typed path steps aside, the hand path names the rule
    twice = _dumps([RICH, RICH])
    with pytest.raises(BadRequest, match="appears twice"):
        prepare_body(twice, "application/json", CLIENT, "1.0.3", EXT)


def test_json_nested_past_the_decoders_depth_is_a_400_not_a_crash() -> None:
    """msgspec raises RecursionError on very deep JSON: the typed path steps aside and the
    hand path refuses the body (orjson's depth limit) with a 400."""
    deep = "[" * 5000 + "1" + "]" * 5000
    body = (
        '{"actor":{"mbox":"mailto:a@example.org"},"verb":{"id":"http://x.org/v"},'
        '"object":{"id":"http://x.org/a"},"result":{"extensions":{"http://x.org/e":' + deep + "}}}"
    ).encode()
    assert typed.decode(body, "1.0.3") is None
    with pytest.raises(BadRequest, match="not valid JSON"):
        prepare_body(body, "application/json", CLIENT, "1.0.3", EXT)
    inside = _dumps({**RICH, "result": {"extensions": {"http://x.org/e": nested(400)}}})
    assert typed.decode(inside, "1.0.3") is None
    with pytest.raises(BadRequest, match="more than 128 deep"):
        prepare_body(inside, "application/json", CLIENT, "1.0.3", EXT)


# -- mutations of the rich statement -------------------------------------------------------
STRINGS = [
    "",
    "x",
    "not an iri",
    "https://x.example/ok",
    "mailto:z@example.org",
    "z@example.org",
    "0c7e0c8a-1c31-4f4b-9c5b-0d3c2c1c0a11",
    "en-US",
    "english!",
    "PT5S",
    "2026-03-01T08:00:00Z",
    "2026-02-30T08:00:00Z",
    "2026-03-01T08:00:00-00:00",
    "Group",
    "Agent",
    "Activity",
    "StatementRef",
    "SubStatement",
    VOIDED,
    "1.0.0",
    "2.0.0",
    "a" * 40,
]
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.sampled_from([0, 1, -1, 5, 11, 1.5, -2.0, 1e16, -1e20, 2**63, 2**64, -(2**63) - 1])
    | st.sampled_from(STRINGS)
    | st.sampled_from([[], {}, [AGENT], AGENT, {"id": "https://x.example/a"}]),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from([*STRINGS, "id", "mbox", "member"]), children, max_size=3)
    ),
    max_leaves=6,
)


def _nodes(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Paths to every dict and list inside ``value``."""
    found = [path] if isinstance(value, dict | list) else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _nodes(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _nodes(item, (*path, index))
    return found


def _at(value: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        value = value[step]
    return value


mutation = st.tuples(
    st.integers(0, 10_000),  # which node
    st.sampled_from(["delete", "set", "add"]),
    st.integers(0, 10_000),  # which key of it
    json_values,
    st.sampled_from([*STRINGS, "objectType", "member", "mbox", "openid", "definition", "foo"]),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutations=st.lists(mutation, min_size=1, max_size=3), version=st.sampled_from(VERSIONS))
def test_mutated_statements_agree(mutations: list[Any], version: str) -> None:
    stmt = copy.deepcopy(RICH)
    for node_index, action, key_index, drawn, new_key in mutations:
        value = copy.deepcopy(drawn)  # drawn values share objects (AGENT): no cycles
        nodes = _nodes(stmt)
        node = _at(stmt, nodes[node_index % len(nodes)])
        if action == "add" and isinstance(node, dict):
            node[new_key] = value
        elif isinstance(node, dict) and node:
            key = list(node)[key_index % len(node)]
            if action == "delete":
                del node[key]
            else:
                node[key] = value
        elif isinstance(node, list):
            if action == "delete" and node:
                del node[key_index % len(node)]
            else:
                node.append(value)
    check_same(stmt, version)
    check_same([RICH, stmt] if stmt.get("id") != RICH["id"] else [stmt], version)
