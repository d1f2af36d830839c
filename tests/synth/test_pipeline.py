"""A chunk prepared in a worker process is the chunk prepared in place."""

from __future__ import annotations

from lifelong.synth.pipeline import ChunkJob, iter_chunks, prepare, prepare_chunks
from lifelong.synth.scales import SCALES


def test_worker_and_in_process_chunks_are_identical() -> None:
    job = ChunkJob("tiny", 5, "2026-06-30", "https://lifelong.example.org", "hash")
    todo = list(iter_chunks(SCALES["tiny"]))
    parallel = list(prepare_chunks(job, todo, parallel=True))
    assert [c for c, _ in parallel] == [c for c, _, _ in todo]
    for (chunk, first, count), (_, prepared) in zip(todo, parallel, strict=True):
        here = prepare(job, chunk, first, count)
        assert prepared.encoded == here.encoded
        assert prepared.activity.enrolments == here.activity.enrolments
        assert prepared.rosters == here.rosters and prepared.grades == here.grades
    ids = [s["id"] for _, p in parallel for s in p.statements()]
    assert len(set(ids)) == len(ids) > 0
