"""The xAPI outbox: delivery through ``learning_outbox`` vs writing straight to the LRS.

Both sides store the same journey statements (built by ``outbox.emit`` for a real learner
and resource) in the same real statement store (SQLite, ``synchronous=FULL``). The
baseline hands them to the LRS writer directly in batches of the same size, as an action
would if it wrote to the LRS inline; the outbox side first commits them to the
operational table (what each learning action pays) and then drains it with
``drain_once`` (read in order, validate, write, stamp ``delivered_at``). The figures show
what the outbox's no-loss guarantee costs per statement.

Run: ``python -m benchmarks.bench_journey`` (``--quick`` for 2 k statements).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from lifelong.config import Settings
from lifelong.db.engine import make_engine, make_session_factory, transaction
from lifelong.db.migrate import upgrade
from lifelong.learning.journey.outbox import BATCH, PLATFORM_CLIENT, drain_once, emit


def _world(session: Any) -> tuple[Any, Any]:
    """One learner and one resource to talk about."""
    from lifelong.accounts.models import Branch, BranchKind, Role, User
    from lifelong.learning.models import (
        Provider,
        ProviderKind,
        Resource,
        ResourceFormat,
        ResourceLevel,
        ResourceType,
        Subject,
    )

    branch = Branch(
        code="BJ",
        name_zh="北京",
        name_en="Beijing",
        kind=BranchKind.provincial,
        region="North",
        province="北京",
    )
    session.add(branch)
    session.flush()
    user = User(
        username="bench",
        display_name="Bench",
        password_hash="!",
        role=Role.learner,
        branch_id=branch.id,
    )
    subject = Subject(code="EDU", name_zh="教育", name_en="Education")
    provider = Provider(code="OU", name_zh="开放大学", name_en="OU", kind=ProviderKind.university)
    session.add_all([user, subject, provider])
    session.flush()
    resource = Resource(
        provider_id=provider.id,
        external_id="R1",
        title="终身教育概论",
        type=ResourceType.video,
        level=ResourceLevel.bachelor,
        format=ResourceFormat.video,
        subject_id=subject.id,
    )
    session.add(resource)
    session.flush()
    return user, resource


async def _measure(settings: Settings, count: int) -> dict[str, Any]:
    from lifelong.records.credentials import ensure_client
    from lifelong.records.service import LrsStore, prepare_batch
    from lifelong.records.store import open_store
    from lifelong.records.validation import check_statements
    from lifelong.records.versions import V1

    engine = make_engine(settings.resolved_database_url)
    upgrade(engine)
    factory = make_session_factory(engine)
    store = LrsStore(settings, open_store(settings))
    try:
        with transaction(factory) as session:
            user, resource = _world(session)
            client = ensure_client(session, PLATFORM_CLIENT, settings.iri_base)
            session.expunge_all()
        with transaction(factory) as session:
            user = session.merge(user)
            resource = session.merge(resource)
            started = time.perf_counter()
            for _ in range(count):
                emit(
                    session,
                    settings,
                    verb="progressed",
                    user=user,
                    resource=resource,
                    registration=None,
                    progress=0.5,
                    duration_seconds=5,
                )
        enqueue = time.perf_counter() - started
        started = time.perf_counter()
        report = await drain_once(factory, store, settings)
        drain = time.perf_counter() - started
        assert report.delivered == count, report

        with transaction(factory) as session:
            user = session.merge(user)
            resource = session.merge(resource)
            direct = [
                emit(
                    session,
                    settings,
                    verb="progressed",
                    user=user,
                    resource=resource,
                    registration=None,
                    progress=0.5,
                    duration_seconds=5,
                ).statement
                for _ in range(count)
            ]
            session.rollback()  # only the statements are wanted, not the outbox rows
        started = time.perf_counter()
        for start in range(0, count, BATCH):
            chunk = check_statements([dict(s) for s in direct[start : start + BATCH]], V1)
            await store.write(prepare_batch(store, chunk, client, V1))
        baseline = time.perf_counter() - started
    finally:
        store.close()
        store.engine.dispose()
        engine.dispose()
    outbox_total = enqueue + drain
    return {
        "statements": count,
        "batch": BATCH,
        "outbox_enqueue_seconds": round(enqueue, 3),
        "outbox_drain_seconds": round(drain, 3),
        "outbox_statements_per_second": round(count / outbox_total),
        "direct_lrs_write_seconds": round(baseline, 3),
        "direct_statements_per_second": round(count / baseline),
        "outbox_overhead_factor": round(outbox_total / baseline, 2),
    }


def run(quick: bool = False) -> dict[str, Any]:
    """Time the outbox path and the direct LRS write over the same statements."""
    count = 2_000 if quick else 20_000
    with tempfile.TemporaryDirectory() as directory:
        settings = Settings(data_dir=Path(directory), secret_key="bench")
        result = asyncio.run(_measure(settings, count))
    result["load_average_1m"] = round(os.getloadavg()[0], 1)
    return result


if __name__ == "__main__":
    figures = run(quick="--quick" in sys.argv)
    print(json.dumps(figures, ensure_ascii=False, indent=2))
