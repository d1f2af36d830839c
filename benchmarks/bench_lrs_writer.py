"""The statement writer alone: how rows reach SQLite, side by side on the same rows.

Every HTTP ingest and every generated statement ends in ``StatementRepository.write``
(one transaction a group, under the store's write lock). This measures that call alone,
with no HTTP and no validation: the same pre-built groups of benchmark statements
(800 a group, as concurrent 100-statement POSTs are grouped) written into a fresh store
by the repository as it is (multi-row ``INSERT ... VALUES``) and by two baselines that
differ only in how a group's rows are inserted, the forms Lifelong used before:

- ``json_each``: the rows as one JSON array unpacked by SQLite's ``json_each`` (stop 7);
- ``executemany``: one statement step a row (the DB-API default).

Then how the writer keeps up as the store grows (``growth``): the same groups written
again and again, with fresh ids each time, into a fresh store with every index, until it
holds GROWTH_STATEMENTS, once with random version 4 ids (what many xAPI clients send, and
what Lifelong minted before) and once with time-ordered version 7 ids (``lifelong.ids``:
what Lifelong mints for its own statements, the ones it assigns and the generated ones).
A random id dirties a random leaf page of the unique id index; a version 7 id lands on
its newest pages.

Run: ``python -m benchmarks.bench_lrs_writer`` (``--quick``: fewer groups, a smaller store).
Figures: statements/s and CPU microseconds a statement, each in its own fresh store; for
growth, the rate of each successive GROWTH_WINDOW statements.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from benchmarks.lrs_data import make_statement
from lifelong.config import Settings
from lifelong.ids import uuid7
from lifelong.learning.xapi import extension
from lifelong.records.credentials import XapiClient
from lifelong.records.repository import (
    INSERT_ACTIVITY,
    INSERT_AGENT,
    INSERT_STATEMENT,
    STATEMENT_COLUMNS,
    Batch,
    StatementRepository,
)
from lifelong.records.service import build_batch
from lifelong.records.store import open_store
from lifelong.records.validation import check_statements

GROUP_BATCHES = 8  # 100-statement batches a group commit takes
GROWTH_STATEMENTS = 2_000_000
GROWTH_WINDOW = 250_000
CLIENT = XapiClient(
    name="bench",
    scopes=frozenset({"all"}),
    branch_code=None,
    authority={"objectType": "Agent", "account": {"homePage": "https://x.example", "name": "b"}},
)


class JsonEachRepository(StatementRepository):
    """Baseline: a group's rows as one JSON array through ``json_each``."""

    def _insert_sqlite(
        self,
        cursor: Any,
        rows: Sequence[tuple[Any, ...]],
        agent_rows: Sequence[tuple[int, int, str]],
        activity_rows: Sequence[tuple[int, int, str]],
    ) -> None:
        width = len(rows[0])
        cursor.execute(
            f"INSERT INTO lrs_statements {STATEMENT_COLUMNS} SELECT "
            + ", ".join(f"value ->> {i}" for i in range(width))
            + " FROM json_each(?)",
            (orjson.dumps(list(rows)),),
        )
        for table, column, extra in (
            ("lrs_statement_agents", "ifi", agent_rows),
            ("lrs_statement_activities", "activity_id", activity_rows),
        ):
            if extra:
                cursor.execute(
                    f"INSERT INTO {table} (seq, seg, {column}) "
                    "SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(?)",
                    (orjson.dumps(list(extra)),),
                )


class ExecuteManyRepository(StatementRepository):
    """Baseline: one statement step a row (``executemany``)."""

    def _insert_sqlite(
        self,
        cursor: Any,
        rows: Sequence[tuple[Any, ...]],
        agent_rows: Sequence[tuple[int, int, str]],
        activity_rows: Sequence[tuple[int, int, str]],
    ) -> None:
        cursor.executemany(INSERT_STATEMENT, rows)
        if agent_rows:
            cursor.executemany(INSERT_AGENT, agent_rows)
        if activity_rows:
            cursor.executemany(INSERT_ACTIVITY, activity_rows)


def _groups(count: int, seed: int = 1) -> list[list[list[dict[str, Any]]]]:
    """``count`` groups of GROUP_BATCHES validated 100-statement batches (fresh ids)."""
    rng = random.Random(seed)
    groups = []
    for _ in range(count):
        group = []
        for _ in range(GROUP_BATCHES):
            statements = [{**make_statement(rng), "id": str(uuid.uuid4())} for _ in range(100)]
            group.append(check_statements(statements, "1.0.3"))
        groups.append(group)
    return groups


def _batches(groups: list[list[list[dict[str, Any]]]], branch: str) -> list[list[Batch]]:
    """The groups as writer batches (records built from copies: each run gets its own)."""
    return [
        [build_batch(orjson.loads(orjson.dumps(b)), CLIENT, "1.0.3", branch) for b in group]
        for group in groups
    ]


def measure(kind: type[StatementRepository], groups: list[list[Batch]], data: Path) -> dict:
    """Write every group into a fresh store with ``kind``; rate and CPU a statement."""
    engine = open_store(Settings(data_dir=data, secret_key="bench"))
    repository = kind(engine)
    try:
        began, cpu = time.perf_counter(), time.process_time()
        for group in groups:
            repository.write(group)
        wall, cpu = time.perf_counter() - began, time.process_time() - cpu
    finally:
        repository.close()
        engine.dispose()
    statements = sum(len(b.records) for g in groups for b in g)
    return {
        "statements": statements,
        "statements_per_second": round(statements / wall),
        "cpu_us_per_statement": round(cpu / statements * 1e6, 1),
    }


def _renamed(group: list[Batch], mint: Any) -> None:
    """Give every record of ``group`` a fresh id from ``mint`` (in its JSON too)."""
    for batch in group:
        for index, record in enumerate(batch.records):
            fresh = mint()
            batch.records[index] = record.replace(
                statement_id=fresh, body=record.body.replace(record.statement_id, fresh, 1)
            )


def growth(groups: list[list[Batch]], data: Path, mint: Any, total: int) -> dict[str, Any]:
    """Write ``groups`` over and over (fresh ids from ``mint``) until ``total`` are stored;
    the writer's rate over each successive GROWTH_WINDOW statements."""
    engine = open_store(Settings(data_dir=data, secret_key="bench"))
    repository = StatementRepository(engine)
    windows: list[int] = []
    done = in_window = 0
    spent = window_spent = 0.0
    try:
        while done < total:
            for group in groups:
                _renamed(group, mint)
                began = time.perf_counter()
                repository.write(group)
                took = time.perf_counter() - began
                written = sum(len(b.records) for b in group)
                done, in_window = done + written, in_window + written
                spent, window_spent = spent + took, window_spent + took
                if in_window >= GROWTH_WINDOW:
                    windows.append(round(in_window / window_spent))
                    in_window, window_spent = 0, 0.0
                if done >= total:
                    break
    finally:
        repository.close()
        engine.dispose()
    return {
        "statements": done,
        "statements_per_second": round(done / spent),
        "first_window_per_second": windows[0],
        "last_window_per_second": windows[-1],
        "window_statements": GROWTH_WINDOW,
        "windows_per_second": windows,
    }


def run(quick: bool = False) -> dict[str, Any]:
    """The writer alone with each insert form, on the same statements."""
    groups = _groups(40 if quick else 150)
    branch = extension("https://lifelong.example.org", "branch")
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="bench-lrs-writer-") as tmp:
        for name, kind in (
            ("lifelong_multirow_values", StatementRepository),
            ("baseline_json_each", JsonEachRepository),
            ("baseline_executemany", ExecuteManyRepository),
        ):
            figures[name] = measure(kind, _batches(groups, branch), Path(tmp) / name)
        total = GROWTH_WINDOW * 2 if quick else GROWTH_STATEMENTS
        grown = {
            name: growth(_batches(groups, branch), Path(tmp) / f"growth-{name}", mint, total)
            for name, mint in (
                ("lifelong_uuid7_ids", uuid7),
                ("baseline_random_uuid4_ids", lambda: str(uuid.uuid4())),
            )
        }
    ours = figures["lifelong_multirow_values"]["statements_per_second"]
    return {
        "writer": figures,
        "group_statements": GROUP_BATCHES * 100,
        "speedup_vs_json_each": round(
            ours / figures["baseline_json_each"]["statements_per_second"], 2
        ),
        "speedup_vs_executemany": round(
            ours / figures["baseline_executemany"]["statements_per_second"], 2
        ),
        "growth": grown,
        "growth_speedup_last_window": round(
            grown["lifelong_uuid7_ids"]["last_window_per_second"]
            / grown["baseline_random_uuid4_ids"]["last_window_per_second"],
            2,
        ),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    result = run(parser.parse_args().quick)
    out = Path(__file__).parent / "results" / "lrs_writer.json"
    out.write_bytes(orjson.dumps(result, option=orjson.OPT_INDENT_2))
    print(orjson.dumps(result, option=orjson.OPT_INDENT_2).decode())
