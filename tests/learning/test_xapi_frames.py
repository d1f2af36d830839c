"""Statements built from a frame: shared parts, and a frame that is never changed."""

from __future__ import annotations

import copy

import orjson
from hypothesis import given
from hypothesis import strategies as st

from lifelong.learning.xapi import StatementFrame, extension, result_part, statement
from lifelong.records.validation import validator

BASE = "https://lifelong.example.org"
ABOUT = {
    "user_id": 42,
    "resource_id": 7,
    "resource_type": "video",
    "title": "烹饪精讲",
    "language": "zh",
    "branch_code": "BJ",
    "registration": "ef5c5f2f-9d22-56e2-a4ea-da5bc32b0ee0",
    "subject_code": "LIFE.SVC.COOK",
    "provider_code": "ZJU",
}


def test_a_frame_makes_what_statement_makes_and_shares_its_parts() -> None:
    frame = StatementFrame(BASE, **ABOUT)
    first = frame.statement("played", "2026-11-30T08:00:00.000Z", duration_seconds=90)
    second = frame.statement("paused", "2026-11-30T08:01:30.000Z", progress=0.25)
    alone = statement(
        BASE,
        verb="played",
        timestamp="2026-11-30T08:00:00.000Z",
        statement_id=first["id"],
        duration_seconds=90,
        **ABOUT,
    )
    assert first == alone and list(first) == list(alone)  # same content, same key order
    assert first["actor"] is second["actor"] and first["context"] is second["context"]
    for made in (first, second):
        validator("1.0.3").statement(copy.deepcopy(made))
    assert second["result"]["extensions"] == {
        "https://w3id.org/xapi/cmi5/result/extensions/progress": 25
    }


def test_with_extension_leaves_the_frame_and_its_other_statements_alone() -> None:
    frame = StatementFrame(BASE, **ABOUT)
    before = copy.deepcopy(frame.context)
    key = extension(BASE, "certificate")
    earned = frame.with_extension(key, "c-1").statement("earned", "2026-11-30T09:00:00.000Z")
    assert earned["context"]["extensions"][key] == "c-1"
    assert frame.context == before and key not in frame.context["extensions"]
    assert earned["actor"] is frame.actor and earned["object"] is frame.object


@given(
    st.none() | st.integers(0, 10**6),
    st.none() | st.floats(-1, 2, allow_nan=False),
    st.none() | st.floats(-2, 2, allow_nan=False),
    st.none() | st.booleans(),
    st.none() | st.booleans(),
)
def test_a_results_json_as_built_is_its_json_with_sorted_keys(
    duration: int | None,
    progress: float | None,
    score: float | None,
    success: bool | None,
    completion: bool | None,
) -> None:
    """The generator serialises a result once for its body and its content hash."""
    result = result_part(duration, progress, score, success, completion)
    assert orjson.dumps(result) == orjson.dumps(result, option=orjson.OPT_SORT_KEYS)
