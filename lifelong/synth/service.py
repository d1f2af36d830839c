"""``lifelong generate``: the synthetic open university, streamed chunk by chunk.

Each chunk first lands its statements through the LRS bulk path (idempotent by id), then
its branch records (Delta, exactly once), then commits its operational rows together
with its checkpoint row. A crash anywhere leaves either a committed chunk or one that a
rerun regenerates identically (same random stream, same ids) and completes.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from sqlalchemy import Connection, Engine, func, insert, select, update

from lifelong.accounts.models import Branch, LearnerProfile, User
from lifelong.accounts.passwords import hash_password
from lifelong.config import Settings
from lifelong.db.engine import engine_from_settings
from lifelong.db.migrate import upgrade
from lifelong.errors import BadRequest, Conflict
from lifelong.gc_tuning import settle_garbage_collector
from lifelong.learning.models import (
    Certificate,
    Enrolment,
    Programme,
    ProgrammeItem,
    Provider,
    Resource,
    Subject,
)
from lifelong.records.bulk import (
    BulkReport,
    branch_extension,
    bulk_client,
    ingest_statements,
)
from lifelong.synth import branch_records, store
from lifelong.synth.activity import ChunkActivity, chunk_activity, statements
from lifelong.synth.learners import WINDOW_DAYS, make_learners
from lifelong.synth.models import SynthChunk, SynthRun
from lifelong.synth.pipeline import ChunkJob, iter_chunks, land_chunks
from lifelong.synth.rhythm import Rhythm
from lifelong.synth.rng import minted_at, run_namespace, stream
from lifelong.synth.scales import Scale, scale_named
from lifelong.synth.world import (
    DEMO_PASSWORD,
    FIRST_TEACHER,
    World,
    as_of_moment,
    build_world,
)

CLIENT_NAME = "lifelong-platform"  # contract C2: generated = real platform statements


@dataclass
class GenerateReport:
    """What a run did."""

    scale: str
    seed: int
    as_of: str
    resumed: bool = False
    learners: int = 0
    resources: int = 0
    enrolments: int = 0
    certificates: int = 0
    statements: int = 0
    chunks_skipped: int = 0
    seconds: float = 0.0
    stages: dict[str, float] = field(default_factory=dict)


def _progress(enabled: bool) -> Progress:
    return Progress(
        TextColumn("[bold]{task.description:<11}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[detail]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        disable=not enabled,
    )


def parse_as_of(value: str | None) -> str:
    """The as-of day (default: today, UTC) as ``YYYY-MM-DD``; 400 when not a date."""
    if value is None:
        return datetime.now(UTC).date().isoformat()
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise BadRequest(
            "--as-of must be a date like 2026-06-30, not %(value)s", params={"value": value}
        ) from None


def _start_run(
    engine: Engine, settings: Settings, scale: Scale, seed: int, as_of: str, force: bool
) -> tuple[int, bool]:
    """The run to (re)start, refusing on a populated store; returns (run id, resumed)."""
    with engine.connect() as connection:
        run = connection.execute(select(SynthRun).order_by(SynthRun.id.desc()).limit(1)).first()
    if force:
        store.wipe(settings, engine)
        run = None
    elif run is not None:
        same = (run.scale, run.seed, run.as_of) == (scale.name, seed, as_of)
        params = {"scale": run.scale, "seed": run.seed, "as_of": run.as_of}
        if run.finished_at is not None:
            raise Conflict(
                "the store already holds a generated university (scale %(scale)s, seed "
                "%(seed)s, as of %(as_of)s); use --force to wipe it and generate again",
                params=params,
            )
        if not same:
            raise Conflict(
                "an interrupted run with other parameters (scale %(scale)s, seed %(seed)s, "
                "as of %(as_of)s) is in the store; rerun it with those, or use --force to "
                "start again",
                params=params,
            )
        return int(run.id), True
    elif store.populated(settings, engine):
        raise Conflict("the store already holds data; use --force to wipe it and generate again")
    with engine.begin() as connection:
        run_id = connection.execute(
            insert(SynthRun)
            .values(
                scale=scale.name,
                seed=seed,
                as_of=as_of,
                chunks=scale.chunks,
                started_at=datetime.now(UTC),
            )
            .returning(SynthRun.id)
        ).scalar_one()
    return int(run_id), False


def _done(engine: Engine, run_id: int) -> set[tuple[str, int]]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(SynthChunk.stage, SynthChunk.chunk).where(SynthChunk.run_id == run_id)
        )
        return {(stage, chunk) for stage, chunk in rows}


def _insert(connection: Connection, table: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), 20_000):
        batch = rows[start : start + 20_000]
        if batch:
            connection.execute(insert(table), batch)


def _checkpoint(
    connection: Connection, run_id: int, stage: str, chunk: int, rows: int, count: int
) -> None:
    connection.execute(
        insert(SynthChunk).values(
            run_id=run_id,
            stage=stage,
            chunk=chunk,
            rows=rows,
            statements=count,
            committed_at=datetime.now(UTC),
        )
    )


def _demo_users(
    world: World, scale: Scale, password_hash: str, stamp: datetime
) -> list[dict[str, Any]]:
    hq, bj = world.branch_ids["HQ"], world.branch_ids["BJ"]
    people = [
        (1, "hq_admin", "总部管理员", "hq_admin", hq),
        (2, "analyst", "数据分析师", "analyst", hq),
        (3, "bj_admin", "北京分部管理员", "branch_admin", bj),
        (4, "teacher", "王老师", "teacher", bj),
        (5, "learner", "李学员", "learner", bj),
    ]
    branches = [b for b in world.branch_ids.values() if b != hq]
    for t in range(scale.teachers):
        uid = FIRST_TEACHER + t
        people.append((uid, f"t{uid:06d}", f"教师{uid}", "teacher", branches[t % len(branches)]))
    return [
        {
            "id": uid,
            "username": name,
            "display_name": display,
            "email": None,
            "password_hash": password_hash,
            "role": role,
            "branch_id": branch,
            "is_active": True,
            "locale": None,
            "erased_at": None,
            "created_at": stamp,
            "updated_at": stamp,
        }
        for uid, name, display, role, branch in people
    ]


def _reference(
    engine: Engine, world: World, scale: Scale, run_id: int, password_hash: str, as_of: datetime
) -> None:
    stamp = world.rows["branches"][0]["created_at"]
    with engine.begin() as connection:
        _insert(connection, Branch.__table__, world.rows["branches"])
        _insert(connection, Provider.__table__, world.rows["providers"])
        _insert(connection, Subject.__table__, world.rows["subjects"])
        _insert(connection, User.__table__, _demo_users(world, scale, password_hash, stamp))
        _insert(connection, Resource.__table__, world.rows["resources"])
        _insert(connection, Programme.__table__, world.rows["programmes"])
        _insert(connection, ProgrammeItem.__table__, world.rows["programme_items"])
        _checkpoint(connection, run_id, "reference", 0, len(world.rows["resources"]), 0)


def _ingest(settings: Settings, items: Iterable[dict[str, Any]]) -> int:
    return _stored(ingest_statements(settings, items, client_name=CLIENT_NAME))


def _stored(report: BulkReport) -> int:
    if report.rejected:
        where, why = report.rejected[0]
        raise RuntimeError(f"the LRS refused a generated statement ({where}): {why}")
    return report.stored + report.duplicates


def _commit_activity(
    engine: Engine,
    run_id: int,
    stage: str,
    chunk: int,
    users: list[dict[str, Any]],
    profiles: list[dict[str, Any]],
    activity: ChunkActivity,
    count: int,
) -> None:
    with engine.begin() as connection:
        _insert(connection, User.__table__, users)
        _insert(connection, LearnerProfile.__table__, profiles)
        _insert(connection, Enrolment.__table__, activity.enrolments)
        _insert(connection, Certificate.__table__, activity.certificates)
        _checkpoint(connection, run_id, stage, chunk, len(users), count)


def _demo_learner(
    settings: Settings,
    engine: Engine,
    world: World,
    run_id: int,
    seed: int,
    as_of: datetime,
    namespace: uuid.UUID,
    rhythm: Rhythm,
) -> tuple[ChunkActivity, int]:
    """The ``learner`` account: three enrolments in progress, two completed with
    certificates, so every home page has something to show. Returns its activity and
    how many statements it stored."""
    rng = stream(seed, "demo", 0)
    learner = make_learners(world, rng, 0, 1, as_of, "")
    learner.ids = np.array([5])
    learner.branch_codes = ["BJ"]
    learner.registered = [as_of.replace(hour=0) - timedelta(days=120)]
    profile = dict(
        learner.profiles[0], user_id=5, province="北京", registered_at=learner.registered[0]
    )
    certified = [i + 1 for i, t in enumerate(world.r_type) if t in ("course", "micro_course")]
    others = [i + 1 for i, t in enumerate(world.r_type) if t in ("video", "ebook", "course")]
    forced = [(certified[0], "completed"), (certified[1], "completed")]
    forced += [(r, "active") for r in others if r not in certified[:2]][:3]
    minted = minted_at(as_of, None)
    activity = chunk_activity(world, learner, rng, rhythm, namespace, 1.0, as_of, minted, forced)
    count = _ingest(settings, statements(world, activity, namespace, settings.iri_base, minted))
    _commit_activity(engine, run_id, "demo", 0, [], [profile], activity, count)
    return activity, count


ChunkHook = Callable[[str, int], None]


def generate(
    settings: Settings,
    *,
    scale: str,
    seed: int,
    as_of: str | None = None,
    force: bool = False,
    progress: bool = True,
    before_commit: ChunkHook | None = None,
) -> GenerateReport:
    """Generate (or resume generating) a university of ``scale`` for ``seed``.

    ``before_commit(stage, chunk)`` runs just before a chunk's commit (tests use it to
    interrupt a run at a known point).
    """
    spec = scale_named(scale)
    day = parse_as_of(as_of)
    if seed < 0 or seed > 2**31 - 1:
        raise BadRequest("--seed must be between 0 and 2147483647")
    began = time.perf_counter()
    engine = engine_from_settings(settings)
    try:
        upgrade(engine)
        run_id, resumed = _start_run(engine, settings, spec, seed, day, force)
        report = GenerateReport(scale=spec.name, seed=seed, as_of=day, resumed=resumed)
        _run(settings, engine, spec, seed, day, run_id, report, progress, before_commit)
    finally:
        engine.dispose()
    report.seconds = round(time.perf_counter() - began, 2)
    return report


def _run(
    settings: Settings,
    engine: Engine,
    spec: Scale,
    seed: int,
    day: str,
    run_id: int,
    report: GenerateReport,
    progress: bool,
    before_commit: ChunkHook | None,
) -> None:
    moment = as_of_moment(day)
    namespace = run_namespace(seed, day)
    done = _done(engine, run_id)
    password_hash = hash_password(DEMO_PASSWORD)  # once: Argon2 per learner would take hours
    mark = time.perf_counter()
    world = build_world(spec, seed, moment)
    rhythm = Rhythm(moment - timedelta(days=WINDOW_DAYS), moment)
    settle_garbage_collector()  # the world and start-up heap: out of the collector's sight
    report.resources = spec.resources
    with _progress(progress) as bar:
        task = bar.add_task("reference", total=spec.resources, detail="resources")
        if ("reference", 0) not in done:
            _reference(engine, world, spec, run_id, password_hash, moment)
        bar.update(task, completed=spec.resources)
        report.stages["reference"] = round(time.perf_counter() - mark, 2)
        mark = time.perf_counter()
        if ("demo", 0) not in done:
            demo, count = _demo_learner(
                settings, engine, world, run_id, seed, moment, namespace, rhythm
            )
            report.learners += 1
            report.enrolments += len(demo.enrolments)
            report.certificates += len(demo.certificates)
            report.statements += count
        task = bar.add_task("learners", total=spec.learners, detail="")
        started = time.perf_counter()
        todo = [c for c in iter_chunks(spec) if ("learners", c[0]) not in done]
        skipped = spec.learners - sum(c[2] for c in todo)
        report.chunks_skipped = spec.chunks - len(todo)
        bar.advance(task, skipped)
        job = ChunkJob(
            spec.name,
            seed,
            day,
            settings.iri_base,
            password_hash,
            bulk_client(settings, CLIENT_NAME),
            branch_extension(settings),
        )
        # The LRS's filter indexes stay in place for the load: they lead with the
        # statement's segment, so each slice's entries land on the newest pages of each
        # (docs/decisions.md, "Generator keeps the LRS indexes").
        parallel = spec.learners >= 10_000
        with store.lake_fed_meanwhile(settings, enabled=bool(todo)):
            landed = land_chunks(job, settings, todo, parallel=parallel)
            for chunk, prepared in landed:
                stored = _stored(prepared.lrs)
                branch_records.append_records(settings, chunk, prepared.rosters, prepared.grades)
                if before_commit is not None:
                    before_commit("learners", chunk)
                _commit_activity(
                    engine,
                    run_id,
                    "learners",
                    chunk,
                    prepared.users,
                    prepared.profiles,
                    prepared.activity,
                    stored,
                )
                report.learners += len(prepared.users)
                report.enrolments += len(prepared.activity.enrolments)
                report.certificates += len(prepared.activity.certificates)
                report.statements += stored
                rate = report.statements / max(time.perf_counter() - started, 1e-6)
                bar.update(
                    task,
                    advance=len(prepared.users),
                    detail=f"{report.statements:,} statements ({rate:,.0f}/s)",
                )
            report.stages["learners"] = round(time.perf_counter() - mark, 2)
            mark = time.perf_counter()
        # Leaving the block stops the lake feeder (its last export is finished first).
        task = bar.add_task("finishing", total=3, detail="enrolment counts")
        _finish_counts(engine)
        store.fix_sequences(engine)
        bar.update(task, advance=1, detail="search index")
        store.rebuild_search(settings, engine)
        bar.update(task, advance=1, detail="lakehouse export")
        store.export_lake(settings)
        bar.update(task, advance=1, detail="done")
        report.stages["finishing"] = round(time.perf_counter() - mark, 2)
    with engine.begin() as connection:
        connection.execute(
            update(SynthRun).where(SynthRun.id == run_id).values(finished_at=datetime.now(UTC))
        )


def _finish_counts(engine: Engine) -> None:
    """Each resource's enrolment count, as the catalogue shows it."""
    counts = select(func.count()).where(Enrolment.resource_id == Resource.id).scalar_subquery()
    with engine.begin() as connection:
        # updated_at kept as is: the count is derived, not an edit (and runs stay identical).
        connection.execute(
            update(Resource).values(enrolment_count=counts, updated_at=Resource.updated_at)
        )
