"""Generated timestamps: the fast formatter is the datetime one, digit for digit."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from lifelong.learning.xapi import iso_timestamp
from lifelong.synth.rhythm import iso_from_epoch, to_datetime

# 2001-2099, in seconds; the generator's window lies well inside.
EPOCHS = st.floats(min_value=1e9, max_value=4e9, allow_nan=False)


@given(EPOCHS)
def test_iso_from_epoch_equals_the_datetime_path(epoch: float) -> None:
    assert iso_from_epoch(epoch) == iso_timestamp(to_datetime(epoch))


@given(st.integers(min_value=1_000_000_000_000, max_value=4_000_000_000_000))
def test_half_milliseconds_round_as_the_datetime_path(millis: int) -> None:
    """Instants at and next to a half millisecond, where rounding could differ."""
    for epoch in (millis / 1000, (millis + 0.5) / 1000, (millis + 0.4999) / 1000):
        assert iso_from_epoch(epoch) == iso_timestamp(to_datetime(epoch))


def test_known_instants() -> None:
    assert iso_from_epoch(1e9) == "2001-09-09T01:46:40.000Z"
    assert iso_from_epoch(1_767_225_599.9996) == "2026-01-01T00:00:00.000Z"
    assert iso_from_epoch(1_709_164_800.25) == "2024-02-29T00:00:00.250Z"
