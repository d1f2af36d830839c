"""Preparing chunks (learners, activity, statements, branch records) ahead of ingestion.

Building statements is pure CPU and independent of the stores, so on small and larger
scales one worker process prepares chunk k+1 while the main process ingests chunk k:
the two cores of a small machine both work. The worker also validates the chunk's
statements and builds their store records (``records.bulk.validate_chunk``, the LRS's
own validation), so the main process only writes them. Each chunk is a pure function of
(scale, seed, as-of, chunk, client), so where it is computed does not change what it holds.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from typing import Any

from lifelong.records.bulk import Item, Validated, validate_chunk
from lifelong.records.credentials import XapiClient
from lifelong.records.versions import V1
from lifelong.synth import branch_records
from lifelong.synth.activity import ChunkActivity, chunk_activity, statements
from lifelong.synth.learners import WINDOW_DAYS, make_learners
from lifelong.synth.rhythm import Rhythm
from lifelong.synth.rng import run_namespace, stream
from lifelong.synth.scales import Scale, scale_named
from lifelong.synth.world import World, as_of_moment, build_world

AHEAD = 1  # chunks prepared ahead of the one being ingested (bounds memory)


@dataclass(frozen=True)
class ChunkJob:
    """What a worker needs to rebuild a run's world and prepare any of its chunks."""

    scale: str
    seed: int
    as_of: str
    iri_base: str
    password_hash: str
    # The LRS client generated statements are stored as (records.bulk.bulk_client), and
    # the branch extension of its statements: what validation and records depend on.
    client: XapiClient
    branch_extension: str


@dataclass
class PreparedChunk:
    """A chunk ready to land: rows, validated statement records, branch records."""

    users: list[dict[str, Any]]
    profiles: list[dict[str, Any]]
    activity: ChunkActivity
    # Records hold the statement's JSON text (~0.9 kB) and its keys, not the nested
    # dicts (~4 kB a statement): what crosses between the processes stays small.
    validated: Validated
    rosters: list[dict[str, str]]
    grades: list[dict[str, str]]


@cache
def _world(scale: str, seed: int, as_of: str) -> tuple[World, Rhythm]:
    moment = as_of_moment(as_of)
    return (
        build_world(scale_named(scale), seed, moment),
        Rhythm(moment - timedelta(days=WINDOW_DAYS), moment),
    )


def prepare(job: ChunkJob, chunk: int, first: int, count: int) -> PreparedChunk:
    """One chunk of learners with everything they did (deterministic)."""
    world, rhythm = _world(job.scale, job.seed, job.as_of)
    spec = scale_named(job.scale)
    moment = as_of_moment(job.as_of)
    namespace = run_namespace(job.seed, job.as_of)
    rng = stream(job.seed, "learners", chunk)
    learners = make_learners(world, rng, first, count, moment, job.password_hash)
    activity = chunk_activity(
        world, learners, rng, rhythm, namespace, spec.enrolments_per_learner, moment
    )
    items: Iterator[Item] = (
        (f"chunk {chunk} statement {index}", stmt)
        for index, stmt in enumerate(statements(world, activity, namespace, job.iri_base))
    )
    validated = validate_chunk(items, job.client, V1, job.branch_extension)
    rosters, grades = branch_records.chunk_records(world, activity, rng)
    return PreparedChunk(learners.users, learners.profiles, activity, validated, rosters, grades)


def iter_chunks(spec: Scale) -> Iterator[tuple[int, int, int]]:
    """(chunk, first learner index, learners) of each chunk."""
    for chunk in range(spec.chunks):
        first = chunk * spec.chunk_learners
        yield chunk, first, min(spec.chunk_learners, spec.learners - first)


def prepare_chunks(
    job: ChunkJob, todo: Sequence[tuple[int, int, int]], *, parallel: bool
) -> Iterator[tuple[int, PreparedChunk]]:
    """Prepared chunks in order; with ``parallel``, computed one ahead in a worker."""
    if not parallel:
        for chunk, first, count in todo:
            yield chunk, prepare(job, chunk, first, count)
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        pending: list[tuple[int, Future[PreparedChunk]]] = []
        queue = list(todo)
        while queue or pending:
            while queue and len(pending) <= AHEAD:
                chunk, first, count = queue.pop(0)
                pending.append((chunk, pool.submit(prepare, job, chunk, first, count)))
            chunk, future = pending.pop(0)
            yield chunk, future.result()
