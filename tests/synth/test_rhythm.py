"""Generated moments and timestamps: the sampler is numpy's arithmetic to the bit, the fast
formatter is the datetime one, digit for digit."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lifelong.learning.xapi import iso_timestamp
from lifelong.synth.rhythm import Rhythm, interp, iso_from_epoch, to_datetime

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


def _numpy_sample(rhythm: Rhythm, rng: np.random.Generator, lo: float, hi: float, n: int) -> Any:
    """The sampler as numpy arrays (how it was first written): the reference."""
    hi = min(hi, rhythm.end_epoch - 1)
    if hi <= lo:
        return np.full(n, lo)
    day_cdf, positions = np.array(rhythm.day_cdf), np.array(rhythm.day_positions)
    d0, d1 = (lo - rhythm.epoch0) / 86400.0, (hi - rhythm.epoch0) / 86400.0
    c0, c1 = np.interp((d0, d1), positions, day_cdf)
    u = rng.random((n, 3))
    days = np.floor(np.interp(c0 + u[:, 0] * (c1 - c0), day_cdf, positions))
    hours = np.searchsorted(np.array(rhythm.hour_cdf), u[:, 1])
    moments = rhythm.epoch0 + days * 86400.0 + hours * 3600.0 + u[:, 2] * 3600.0
    return np.sort(np.clip(moments, lo, hi))


RHYTHM = Rhythm(datetime(2024, 6, 1, tzinfo=UTC), datetime(2026, 6, 1, tzinfo=UTC))


@settings(max_examples=300, deadline=None)
@given(
    st.integers(0, 2**32 - 1),
    st.floats(1.70e9, 1.79e9, allow_nan=False),
    st.floats(0, 4e7, allow_nan=False),
    st.integers(1, 40),
)
def test_the_sampler_draws_numpys_moments_to_the_bit(
    seed: int, lo: float, width: float, n: int
) -> None:
    """Windows inside, across and past the rhythm's days, empty ones, one moment or many:
    the same moments as the numpy formulation from the same random stream."""
    ours = RHYTHM.sample(np.random.default_rng(seed), lo, lo + width, n)
    reference = _numpy_sample(RHYTHM, np.random.default_rng(seed), lo, lo + width, n)
    assert ours == reference.tolist()


@pytest.mark.parametrize("x", [-5.0, 0.0, 0.5, 3.0, 3.25, 700.0, 731.0, 731.5, 800.0])
def test_interp_is_numpys(x: float) -> None:
    positions = RHYTHM.day_positions
    assert interp(x, positions, RHYTHM.day_cdf) == float(np.interp(x, positions, RHYTHM.day_cdf))
    c = float(np.interp(x, positions, RHYTHM.day_cdf))
    assert interp(c, RHYTHM.day_cdf, positions) == float(np.interp(c, RHYTHM.day_cdf, positions))
