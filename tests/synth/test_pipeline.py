"""A chunk prepared in a worker process is the chunk prepared in place."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import orjson

from lifelong.config import Settings
from lifelong.learning.xapi import extension
from lifelong.records.credentials import XapiClient, authority_for
from lifelong.records.store import open_store
from lifelong.synth.pipeline import ChunkJob, iter_chunks, land_chunks, prepare
from lifelong.synth.scales import SCALES

ROOT = str(Path(__file__).resolve().parents[2])
IRI = "https://lifelong.example.org"
CLIENT = XapiClient(
    name="lifelong-platform",
    scopes=frozenset({"all"}),
    branch_code=None,
    authority=authority_for(IRI, "lifelong-platform"),
)


def _stored(settings: Settings) -> list[tuple[str, str]]:
    """(id, statement without ``stored``) of every stored statement, by id."""
    engine = open_store(settings)
    try:
        with engine.connect() as connection:
            rows = connection.exec_driver_sql(
                "SELECT statement_id, statement FROM lrs_statements ORDER BY statement_id"
            ).all()
    finally:
        engine.dispose()
    out = []
    for statement_id, text in rows:
        stmt = orjson.loads(text)
        stmt.pop("stored")
        out.append((statement_id, orjson.dumps(stmt).decode()))
    return out


def test_chunks_landed_by_workers_equal_chunks_landed_in_place(tmp_path: Path) -> None:
    """Two worker processes store the same statements and return the same rows as the
    main process does alone, in chunk order."""
    job = ChunkJob("tiny", 5, "2026-06-30", IRI, "hash", CLIENT, extension(IRI, "branch"))
    todo = list(iter_chunks(SCALES["tiny"]))
    there = Settings(data_dir=tmp_path / "workers", secret_key="k")
    here = Settings(data_dir=tmp_path / "in-place", secret_key="k")
    parallel = list(land_chunks(job, there, todo, parallel=True))
    serial = list(land_chunks(job, here, todo, parallel=False))
    assert [c for c, _ in parallel] == [c for c, _ in serial] == [c for c, _, _ in todo]
    for (_, a), (_, b) in zip(parallel, serial, strict=True):
        assert a.activity.enrolments == b.activity.enrolments
        assert a.rosters == b.rosters and a.grades == b.grades
        assert a.lrs.stored == b.lrs.stored > 0 and not a.lrs.rejected
    assert _stored(there) == _stored(here)
    assert len(_stored(here)) == sum(landed.lrs.stored for _, landed in serial)


def test_a_prepared_chunk_is_validated_and_lean() -> None:
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


def test_workers_end_when_the_generator_is_killed(tmp_path: Path) -> None:
    """kill -9 of `lifelong generate` leaves no worker behind (still writing, or holding
    the statement store's write lock); the next run resumes (test_service covers that)."""
    env = {**os.environ, "LIFELONG_DATA_DIR": str(tmp_path / "data"), "PYTHONPATH": ROOT}
    command = [sys.executable, "-m", "lifelong.cli", "generate", "--scale", "small"]
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 60
        workers: list[str] = []
        while time.monotonic() < deadline and len(workers) < 2:
            time.sleep(0.5)
            found = subprocess.run(
                ["pgrep", "-P", str(process.pid), "-f", "spawn_main"],
                capture_output=True,
                text=True,
            )
            workers = found.stdout.split()
        assert len(workers) == 2, "the generator never started its two workers"
    finally:
        process.kill()
        process.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(int(pid)) for pid in workers):
        time.sleep(0.2)
    assert not any(_alive(int(pid)) for pid in workers)


def _alive(pid: int) -> bool:
    """Whether ``pid`` is a live (not zombie) process."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(") ", 1)[1][0] != "Z"
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
