"""Generated identifiers are standard name-based UUIDs."""

from __future__ import annotations

import uuid

from lifelong.synth.rng import name_uuid, run_namespace, stream


def test_name_uuid_is_rfc_4122_version_5() -> None:
    namespace = run_namespace(7, "2026-11-30")
    for name in ("enrolment/10000/1", "x", "证书/一"):
        assert name_uuid(namespace, name) == str(uuid.uuid5(namespace, name))


def test_streams_repeat_per_chunk_and_differ_between_chunks() -> None:
    assert stream(1, "learners", 3).random() == stream(1, "learners", 3).random()
    assert stream(1, "learners", 3).random() != stream(1, "learners", 4).random()
    assert stream(1, "learners", 3).random() != stream(2, "learners", 3).random()
