"""Landing chunks (learners, activity, statements, branch records) in worker processes.

Building and validating statements is pure CPU, so on small and larger scales two worker
processes each take a chunk: build its statements' store records (``synth.records``: the
records ``records.bulk.validate_chunk`` makes, assembled from each enrolment's shared
parts and checked against the LRS's own validation and records), and store them in
the statement store themselves (its writes are serialised across processes, as for web
workers). The main process commits each chunk's rows to the operational store, in chunk
order, once its statements are durable. Nothing but rows and counts crosses between the
processes. Each chunk is a pure function of (scale, seed, as-of, chunk, client), so
where it is computed does not change what it holds.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from itertools import chain, islice
from typing import Any, TypeVar

from lifelong.config import Settings
from lifelong.gc_tuning import collector_paused, settle_garbage_collector
from lifelong.processes import exit_with_parent, lower_thread_priority
from lifelong.records.bulk import (
    BulkReport,
    Item,
    Validated,
    bulk_client,
    bulk_session,
    validate_chunk,
)
from lifelong.records.credentials import XapiClient
from lifelong.records.store import open_store
from lifelong.records.versions import V1
from lifelong.synth import branch_records
from lifelong.synth.activity import ChunkActivity, chunk_activity, statement_parts
from lifelong.synth.learners import WINDOW_DAYS, make_learners
from lifelong.synth.records import Part, numbered, validated_parts
from lifelong.synth.rhythm import Rhythm
from lifelong.synth.rng import minted_at, run_namespace, stream
from lifelong.synth.scales import Scale, scale_named
from lifelong.synth.world import World, as_of_moment, build_world

T = TypeVar("T")
WORKERS = 2  # worker processes landing chunks (each holds one chunk: bounds memory)
# Statements a worker validates and stores at a time (one transaction). Two slices are in
# a worker at once (one validated, one being written): at 20 000 a medium worker peaked at
# 541 MB, at 10 000 at 416 MB, in about the same time.
SLICE = 10_000
# The nice value of a worker's generating thread (its statement writer keeps the process's).
GENERATION_NICENESS = 5


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
    # dicts (~4 kB a statement): a chunk in a worker stays small.
    validated: Validated
    rosters: list[dict[str, str]]
    grades: list[dict[str, str]]


@dataclass
class LandedChunk:
    """A chunk whose statements are stored: its rows, and what the LRS did with them."""

    users: list[dict[str, Any]]
    profiles: list[dict[str, Any]]
    activity: ChunkActivity  # enrolment and certificate rows (its events are statements now)
    rosters: list[dict[str, str]]
    grades: list[dict[str, str]]
    lrs: BulkReport


@cache
def _world(scale: str, seed: int, as_of: str) -> tuple[World, Rhythm]:
    moment = as_of_moment(as_of)
    world = build_world(scale_named(scale), seed, moment)
    # The world lives as long as the process: out of the cyclic collector's sight, and
    # rarer young collections while chunks allocate statements (small: ~10 % less time
    # building and validating them).
    settle_garbage_collector()
    return world, Rhythm(moment - timedelta(days=WINDOW_DAYS), moment)


@dataclass
class _ChunkParts:
    """A chunk's rows, and its statements still to be built (a lazy iterator)."""

    users: list[dict[str, Any]]
    profiles: list[dict[str, Any]]
    activity: ChunkActivity
    parts: Iterator[tuple[str, Part]]  # (location, statement parts), lazily
    rosters: list[dict[str, str]]
    grades: list[dict[str, str]]


def _parts(job: ChunkJob, chunk: int, first: int, count: int) -> _ChunkParts:
    """One chunk of learners with everything they did (deterministic)."""
    world, rhythm = _world(job.scale, job.seed, job.as_of)
    spec = scale_named(job.scale)
    moment = as_of_moment(job.as_of)
    namespace = run_namespace(job.seed, job.as_of)
    rng = stream(job.seed, "learners", chunk)
    learners = make_learners(world, rng, first, count, moment, job.password_hash)
    minted = minted_at(moment, chunk)
    activity = chunk_activity(
        world, learners, rng, rhythm, namespace, spec.enrolments_per_learner, moment, minted
    )
    # Statements draw nothing from the random stream, so the branch records may be drawn
    # before the statements are built.
    rosters, grades = branch_records.chunk_records(world, activity, rng)
    parts = numbered(
        statement_parts(world, activity, namespace, job.iri_base, minted), f"chunk {chunk}"
    )
    return _ChunkParts(learners.users, learners.profiles, activity, parts, rosters, grades)


def _statements(parts: Iterator[tuple[str, Part]]) -> Iterator[Item]:
    """The statement dicts the parts make (the LRS bulk path's input)."""
    for location, (frame, statement_id, verb, timestamp, figures) in parts:
        yield location, frame.statement(verb, timestamp, statement_id, *figures)


def prepare(job: ChunkJob, chunk: int, first: int, count: int) -> PreparedChunk:
    """One chunk with all its statements validated (in memory at once), each statement
    built as a dict and taken through the LRS's bulk path (``validate_chunk``): the
    reference ``land``'s assembled records are tested against."""
    parts = _parts(job, chunk, first, count)
    validated = validate_chunk(_statements(parts.parts), job.client, V1, job.branch_extension)
    return PreparedChunk(
        parts.users, parts.profiles, parts.activity, validated, parts.rosters, parts.grades
    )


def iter_chunks(spec: Scale) -> Iterator[tuple[int, int, int]]:
    """(chunk, first learner index, learners) of each chunk."""
    for chunk in range(spec.chunks):
        first = chunk * spec.chunk_learners
        yield chunk, first, min(spec.chunk_learners, spec.learners - first)


# One bulk session per process and data directory, kept for the chunks it lands.
_sessions: dict[str, AbstractContextManager[Any]] = {}
_open: dict[str, Any] = {}


def _session(settings: Settings, client: XapiClient) -> Any:
    """This process's bulk session on the statement store (opened on first use)."""
    key = str(settings.data_dir)
    if key not in _open:
        manager = bulk_session(settings, client_name=client.name, client=client)
        _open[key] = manager.__enter__()
        _sessions[key] = manager
    return _open[key]


def close_sessions() -> None:
    """Close this process's bulk sessions (their writes are all durable already)."""
    for key, manager in list(_sessions.items()):
        manager.__exit__(None, None, None)
        del _sessions[key], _open[key]


def _lazy_slices(items: Iterator[T], size: int) -> Iterator[Iterator[T]]:
    """``items`` in consecutive slices of ``size``, each itself lazy: a statement's parts
    live only until its record is made. Each slice must be used up before the next."""
    for first in items:
        yield chain((first,), islice(items, size - 1))


def _worker_start(parent: int) -> None:
    """A landing worker: ends with the main process; its chunks' generation yields the
    cores to the statement writers (``land``)."""
    global _in_worker
    exit_with_parent(parent)
    _in_worker = True


_in_worker = False


def land(job: ChunkJob, settings: Settings, chunk: int, first: int, count: int) -> LandedChunk:
    """Prepare a chunk and store its statements; durable when this returns.

    Records are assembled from each enrolment's frame (``synth.records``: the bulk path's
    records, checked against it frame by frame) and stored SLICE at a time, so a worker
    holds two slices' records (one being written while the next is assembled), not the
    chunk's (at ``medium`` a chunk is ~110 k statements).
    """
    session = _session(settings, job.client)  # its writer thread keeps this priority
    if _in_worker:
        # The store takes one writer at a time across processes, and the writers were
        # the load's critical path: each worker's generation waited for its writer
        # about half the time, and each writer for the other's lock about a third,
        # while generation threads took the cores from the lock's holder.
        lower_thread_priority(GENERATION_NICENESS)
    with collector_paused():
        parts = _parts(job, chunk, first, count)
        report = session.store_all(
            validated_parts(part, job.client, V1, job.branch_extension)
            for part in _lazy_slices(parts.parts, SLICE)
        )
    # The events became statements: what goes back to the main process is the rows
    # (pickling a medium chunk's ~105 k event tuples cost both processes for nothing).
    rows = ChunkActivity(parts.activity.enrolments, parts.activity.certificates)
    return LandedChunk(parts.users, parts.profiles, rows, parts.rosters, parts.grades, report)


def land_chunks(
    job: ChunkJob, settings: Settings, todo: Sequence[tuple[int, int, int]], *, parallel: bool
) -> Iterator[tuple[int, LandedChunk]]:
    """Landed chunks in chunk order; with ``parallel``, landed by WORKERS processes."""
    # Stores migrated and the client's credential present before any worker opens them
    # (two processes migrating one fresh store would race).
    bulk_client(settings, job.client.name)
    open_store(settings).dispose()
    if not parallel:
        try:
            for chunk, first, count in todo:
                yield chunk, land(job, settings, chunk, first, count)
        finally:
            close_sessions()
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=WORKERS,
        mp_context=context,
        initializer=_worker_start,
        initargs=(os.getpid(),),
    ) as pool:
        pending: list[tuple[int, Future[LandedChunk]]] = []
        queue = list(todo)
        while queue or pending:
            while queue and len(pending) < WORKERS:
                chunk, first, count = queue.pop(0)
                pending.append((chunk, pool.submit(land, job, settings, chunk, first, count)))
            chunk, future = pending.pop(0)
            yield chunk, future.result()
