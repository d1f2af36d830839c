"""Version 7 UUIDs: the layout of RFC 9562 5.7, time-ordered, and the named ones repeat."""

from __future__ import annotations

import hashlib
import time
import uuid

from hypothesis import given
from hypothesis import strategies as st

from lifelong.ids import Uuid7Namer, named_uuid7, uuid7
from lifelong.records.formats import is_uuid
from lifelong.records.records import id_halves

NAMESPACE = uuid.UUID("5d1f0c9e-2b7a-5c43-8e61-7a0f3d2c9b14")
MILLIS = st.integers(min_value=0, max_value=2**48 - 1)


def _layout(text: str, minted_ms: int) -> None:
    value = uuid.UUID(text)
    assert str(value) == text and is_uuid(text)
    assert value.version == 7 and value.variant == uuid.RFC_4122
    assert value.int >> 80 == minted_ms


@given(MILLIS, st.text(max_size=40))
def test_named_ids_have_the_version_7_layout_and_repeat(minted_ms: int, name: str) -> None:
    text = named_uuid7(NAMESPACE, minted_ms, name)
    _layout(text, minted_ms)
    assert named_uuid7(NAMESPACE, minted_ms, name) == text
    assert named_uuid7(NAMESPACE, minted_ms, name + "!") != text


# Until 2^47 ms (the year 6429) the high half stays below 2^63 and so keeps its sign.
BEFORE_6429 = st.integers(min_value=0, max_value=2**47 - 2)


@given(BEFORE_6429, BEFORE_6429)
def test_later_ids_sort_after_earlier_ones_as_text_and_in_the_index(a: int, b: int) -> None:
    """The store's unique index holds ``id_halves``: its order is the minting order."""
    first, second = uuid7(min(a, b)), uuid7(max(a, b) + (a == b))
    assert first < second
    assert id_halves(first) < id_halves(second)


def test_fresh_ids_carry_the_current_time_and_differ() -> None:
    before = time.time_ns() // 1_000_000
    ids = [uuid7() for _ in range(1000)]
    after = time.time_ns() // 1_000_000
    assert len(set(ids)) == 1000
    for text in ids:
        minted = uuid.UUID(text).int >> 80
        _layout(text, minted)
        assert before <= minted <= after


@given(MILLIS, st.text(max_size=40))
def test_named_ids_are_the_namespace_and_name_hash_in_the_version_7_layout(
    minted_ms: int, name: str
) -> None:
    """Worked out from RFC 9562's fields: 48-bit time, version 7, rand_a (12 bits),
    variant 10, rand_b (62 bits), the random bits the first 74 of SHA-1(namespace, name)."""
    rand = int.from_bytes(hashlib.sha1(NAMESPACE.bytes + name.encode()).digest()[:10], "big")
    rand >>= 80 - 74
    value = minted_ms << 80 | 7 << 76 | (rand >> 62) << 64 | 0b10 << 62 | (rand & ((1 << 62) - 1))
    assert named_uuid7(NAMESPACE, minted_ms, name) == str(uuid.UUID(int=value))
    assert Uuid7Namer(NAMESPACE, minted_ms)(name) == str(uuid.UUID(int=value))
