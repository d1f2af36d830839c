"""Records assembled from frames are the LRS bulk path's records, field for field."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lifelong.learning.xapi import VERBS, StatementFrame, extension
from lifelong.records.bulk import Validated, validate_chunk
from lifelong.records.credentials import XapiClient, authority_for
from lifelong.records.versions import V1, V2
from lifelong.synth import records as frame_records
from lifelong.synth.pipeline import ChunkJob, _parts, iter_chunks, prepare
from lifelong.synth.records import FrameMismatch, numbered, validated_parts
from lifelong.synth.scales import SCALES

IRI = "https://lifelong.example.org"
BRANCH = extension(IRI, "branch")
CLIENT = XapiClient(
    name="lifelong-platform",
    scopes=frozenset({"all"}),
    branch_code=None,
    authority=authority_for(IRI, "lifelong-platform"),
)


def _frame(**changes: Any) -> StatementFrame:
    """A frame of one learner and resource, with ``changes`` to its keywords."""
    given: dict[str, Any] = {
        "user_id": 3,
        "resource_id": 4,
        "resource_type": "course",
        "title": "t",
        "language": "zh",
        "branch_code": "GD",
        "registration": None,
        **changes,
    }
    return StatementFrame(IRI, **given)


def _both(parts: list[Any], version: str = V1) -> tuple[Validated, Validated]:
    """What the bulk path (a dict a statement) and the assembled path make of ``parts``."""
    items = [
        (f"s statement {n}", frame.statement(verb, stamp, sid, *figures))
        for n, (frame, sid, verb, stamp, figures) in enumerate(parts)
    ]
    reference = validate_chunk(items, CLIENT, version, BRANCH)
    return reference, validated_parts(numbered(iter(parts), "s"), CLIENT, version, BRANCH)


@pytest.mark.parametrize("seed", [5, 11])
def test_every_generated_record_equals_the_bulk_paths(seed: int) -> None:
    """Each chunk of a generated university: the records ``land`` stores are those
    ``validate_chunk`` makes of the same statements as dicts (body, hash, keys, all)."""
    job = ChunkJob("tiny", seed, "2026-06-30", IRI, "hash", CLIENT, BRANCH)
    compared = 0
    for chunk, first, count in iter_chunks(SCALES["tiny"]):
        reference = prepare(job, chunk, first, count).validated
        assembled = validated_parts(_parts(job, chunk, first, count).parts, CLIENT, V1, BRANCH)
        assert assembled.records == reference.records
        assert assembled.where == reference.where
        assert (assembled.rejected, assembled.duplicates) == ([], 0) == (reference.rejected, 0)
        compared += len(assembled.records)
    assert compared > 1_000


TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=30)
FIGURES = st.tuples(
    st.none() | st.integers(0, 100_000),
    st.none() | st.floats(-1, 2, allow_nan=False),
    st.none() | st.floats(-2, 2, allow_nan=False),
    st.none() | st.booleans(),
    st.none() | st.booleans(),
)


@settings(max_examples=150, deadline=None)
@given(
    title=TEXT,
    language=st.sampled_from(["zh", "en"]),
    branch=st.sampled_from(["BJ", "GD", "", "A-VERY-LONG-BRANCH-CODE-XX"]),
    registration=st.none() | st.uuids().map(lambda u: str(u).upper()),
    subject=st.none() | TEXT,
    events=st.lists(
        st.tuples(st.sampled_from(sorted(VERBS)), st.uuids().map(str), FIGURES),
        min_size=1,
        max_size=6,
    ),
    version=st.sampled_from([V1, V2]),
)
def test_any_frame_assembles_what_build_record_builds(
    title: str,
    language: str,
    branch: str,
    registration: str | None,
    subject: str | None,
    events: list[tuple[str, str, Any]],
    version: str,
) -> None:
    """Titles with quotes, escapes and any script, every verb and result shape, upper-case
    ids and registrations, both versions: the same records as the bulk path."""
    frame = _frame(
        title=title,
        language=language,
        branch_code=branch,
        registration=registration,
        subject_code=subject,
    )
    stamp = "2026-03-01T08:00:00.123Z"
    parts = [(frame, sid, verb, stamp, figures) for verb, sid, figures in events]
    reference, assembled = _both(parts, version)
    assert assembled.records == reference.records
    assert assembled.rejected == reference.rejected
    assert assembled.duplicates == reference.duplicates


def test_a_frame_the_validator_refuses_is_rejected_as_the_bulk_path_rejects() -> None:
    """An invalid frame (a registration that is not a UUID) is not assembled: each of its
    statements gets the bulk path's rejection."""
    frame = _frame(registration="not-a-uuid")
    parts = [
        (
            frame,
            f"0190a000-0000-7000-8000-00000000000{n}",
            "launched",
            "2026-01-01T00:00:00.000Z",
            (None,) * 5,
        )
        for n in range(3)
    ]
    reference, assembled = _both(parts)
    assert len(reference.rejected) == 3 and reference.records == []
    assert assembled.rejected == reference.rejected and assembled.records == []


def test_an_assembled_record_that_differs_stops_the_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """The first statement of every frame is checked against build_record: a difference
    (here, a body with one character more) is a FrameMismatch, not a stored statement."""
    original = frame_records.FrameRecords.record

    def skewed(self: Any, *args: Any) -> Any:
        record = original(self, *args)
        return record.replace(body=record.body + " ")

    monkeypatch.setattr(frame_records.FrameRecords, "record", skewed)
    job = ChunkJob("tiny", 5, "2026-06-30", IRI, "hash", CLIENT, BRANCH)
    chunk, first, count = next(iter(iter_chunks(SCALES["tiny"])))
    with pytest.raises(FrameMismatch):
        validated_parts(_parts(job, chunk, first, count).parts, CLIENT, V1, BRANCH)


def test_each_new_shape_in_a_slice_is_checked_against_build_record(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Frames of a shape seen earlier in the slice are not compared again, but the first
    frame of a new shape is (here the certificate frame, whose context holds one more
    extension, assembles a skewed record after three good frames of another shape)."""
    original = frame_records.FrameRecords.record
    certificate = extension(IRI, "certificate")

    def skewed(self: Any, *args: Any) -> Any:
        record = original(self, *args)
        return record.replace(body=record.body + " ") if certificate in self.context else record

    stamp = "2026-01-01T00:00:00.000Z"
    plain = [_frame(user_id=n, registration=None) for n in range(3)]
    parts: list[Any] = [
        (frame, f"0190a000-0000-7000-8000-00000000000{n}", "launched", stamp, (None,) * 5)
        for n, frame in enumerate(plain)
    ]
    reference, assembled = _both(parts)
    assert assembled.records == reference.records and len(assembled.records) == 3
    monkeypatch.setattr(frame_records.FrameRecords, "record", skewed)
    earned = plain[0].with_extension(certificate, "C-1")
    parts.append((earned, "0190a000-0000-7000-8000-0000000000ee", "earned", stamp, (None,) * 5))
    with pytest.raises(FrameMismatch):
        validated_parts(numbered(iter(parts), "s"), CLIENT, V1, BRANCH)


def test_an_id_repeated_in_a_chunk_is_a_duplicate_or_refused_as_on_the_bulk_path() -> None:
    """The same id again with the same content counts as a duplicate; with other content
    it is refused; both paths say so alike (``Validated.accept``)."""
    frame = _frame()
    sid = "0190a000-0000-7000-8000-0000000000aa"
    stamp = "2026-01-01T00:00:00.000Z"
    none = (None,) * 5
    parts = [
        (frame, sid, "launched", stamp, none),
        (frame, sid, "launched", stamp, none),
        (frame, sid, "completed", stamp, none),
    ]
    reference, assembled = _both(parts)
    assert len(reference.records) == 1 and reference.duplicates == 1
    assert reference.rejected == [
        ("s statement 2", f"statement id {sid} repeated with other content")
    ]
    assert assembled.records == reference.records
    assert (assembled.duplicates, assembled.rejected) == (1, reference.rejected)
