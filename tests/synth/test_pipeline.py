"""A chunk prepared in a worker process is the chunk prepared in place."""

from __future__ import annotations

import pickle

from lifelong.learning.xapi import extension
from lifelong.records.credentials import XapiClient, authority_for
from lifelong.synth.pipeline import ChunkJob, iter_chunks, prepare, prepare_chunks
from lifelong.synth.scales import SCALES

IRI = "https://lifelong.example.org"
CLIENT = XapiClient(
    name="lifelong-platform",
    scopes=frozenset({"all"}),
    branch_code=None,
    authority=authority_for(IRI, "lifelong-platform"),
)


def test_worker_and_in_process_chunks_are_identical() -> None:
    job = ChunkJob("tiny", 5, "2026-06-30", IRI, "hash", CLIENT, extension(IRI, "branch"))
    todo = list(iter_chunks(SCALES["tiny"]))
    parallel = list(prepare_chunks(job, todo, parallel=True))
    assert [c for c, _ in parallel] == [c for c, _, _ in todo]
    for (chunk, first, count), (_, prepared) in zip(todo, parallel, strict=True):
        here = prepare(job, chunk, first, count)
        assert [r.body for r in prepared.validated.records] == [
            r.body for r in here.validated.records
        ]
        assert prepared.activity.enrolments == here.activity.enrolments
        assert prepared.rosters == here.rosters and prepared.grades == here.grades
    ids = [r.statement_id for _, p in parallel for r in p.validated.records]
    assert len(set(ids)) == len(ids) > 0


def test_a_prepared_chunk_is_validated_and_lean_to_pickle() -> None:
    """The worker runs the LRS's validation; records carry JSON text, not nested dicts."""
    job = ChunkJob("tiny", 5, "2026-06-30", IRI, "hash", CLIENT, extension(IRI, "branch"))
    chunk, first, count = next(iter(iter_chunks(SCALES["tiny"])))
    prepared = prepare(job, chunk, first, count)
    validated = prepared.validated
    assert validated.rejected == [] and validated.records
    record = validated.records[0]
    assert record.statement == {} and record.body.startswith("{")
    assert record.keys and record.content_hash
    assert '"authority"' in record.body  # set from the client, as on POST
    per_statement = len(pickle.dumps(validated)) / len(validated.records)
    assert per_statement < 2_000
