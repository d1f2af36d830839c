"""Random streams repeat per chunk; a chunk's ids are minted one millisecond after the last."""

from __future__ import annotations

from datetime import UTC, datetime

from lifelong.synth.rng import minted_at, stream


def test_chunks_mint_in_chunk_order_after_the_demo_learner() -> None:
    moment = datetime(2026, 11, 30, tzinfo=UTC)
    mints = [minted_at(moment, None)] + [minted_at(moment, chunk) for chunk in range(5)]
    assert mints == sorted(set(mints))
    assert mints[0] == int(moment.timestamp() * 1000)


def test_streams_repeat_per_chunk_and_differ_between_chunks() -> None:
    assert stream(1, "learners", 3).random() == stream(1, "learners", 3).random()
    assert stream(1, "learners", 3).random() != stream(1, "learners", 4).random()
    assert stream(1, "learners", 3).random() != stream(2, "learners", 3).random()
