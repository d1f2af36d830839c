"""The web process runs the transform on its own: a posted statement reaches the marts."""

from __future__ import annotations

import time
from datetime import timedelta

from fastapi.testclient import TestClient

from lifelong.app import create_app
from lifelong.config import FoundationSettings, Settings
from lifelong.foundation.lake import connect
from lifelong.foundation.lake.paths import table_path
from lifelong.records.bulk import ingest_statements
from tests.foundation.university import DAY1, University, statement


def _learner_day(settings: Settings, learner: int) -> list[tuple[object, ...]]:
    if not (table_path(settings, "marts", "fct_learner_day") / "_delta_log").exists():
        return []
    connection = connect(settings)
    return connection.execute(
        "SELECT day, statements, learning_seconds FROM marts.fct_learner_day "
        "WHERE learner_id = ? ORDER BY day",
        [learner],
    ).fetchall()


def test_a_statement_posted_to_the_lrs_appears_in_the_marts(
    settings: Settings, university: University
) -> None:
    fast = settings.model_copy(
        update={"foundation": FoundationSettings(transform_interval_seconds=1)}
    )
    learner = university.learners[3]  # no statements so far
    later = DAY1 + timedelta(days=5)
    with TestClient(create_app(fast)):
        new = statement(
            fast,
            university,
            learner=learner,
            resource="course",
            verb="progressed",
            at=later,
            seconds=42,
        )
        assert not ingest_statements(fast, [new], client_name="lifelong-platform").rejected
        deadline = time.monotonic() + 90
        rows: list[tuple[object, ...]] = []
        while time.monotonic() < deadline and not rows:
            time.sleep(1)
            rows = _learner_day(fast, learner)
    assert rows == [(later.date(), 1, 42)]


def test_the_scheduled_cycle_runs_in_a_lower_priority_process_of_its_own(
    settings: Settings, university: University
) -> None:
    import asyncio
    import os
    from concurrent.futures import ThreadPoolExecutor

    from lifelong.foundation.scheduler import CycleProcess, CycleSummary

    cycles = CycleProcess(settings)

    def cycle(snapshot: bool) -> CycleSummary:
        # On a thread of its own: a browser test's Playwright may run a loop on this one.
        with ThreadPoolExecutor(max_workers=1) as thread:
            return thread.submit(asyncio.run, cycles.run(snapshot=snapshot)).result()

    try:
        first, second = cycle(True), cycle(False)
    finally:
        cycles.close()
    assert first.status == "ok" and not first.failed
    assert first.pid != os.getpid()
    assert second.pid == first.pid  # one process, kept from cycle to cycle
    wanted = min(19, os.nice(0) + settings.foundation.transform_niceness)
    assert first.niceness == wanted
    assert _learner_day(settings, university.learners[0])  # the marts were built there
