"""Run the models in dependency order on DuckDB, audit, and materialise them as Delta.

Incremental models are processed by time range on the statement chain: the clock is the
C1 table's ``seq`` (exported exactly once, in order, and ``stored`` never decreases as
``seq`` grows), so each model's watermark is the last ``seq`` it has seen and its window is
the ``stored`` range of the statements exported since. Day-partitioned models replace every
day touched by those statements (late statements with an old ``timestamp`` included);
keyed models upsert by key. Re-running a window replaces the same rows, so full refresh
and incremental runs give the same tables.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from deltalake.exceptions import DeltaError

from lifelong.config import Settings
from lifelong.foundation.audits import SAMPLE_ROWS, STAGED, AuditResult, audits_of
from lifelong.foundation.lake import delta
from lifelong.foundation.lake.connection import Lake
from lifelong.foundation.lake.paths import table_path
from lifelong.foundation.project import Model, ModelError, Project, Source, default_project
from lifelong.foundation.render import EPOCH, render, touched_partitions_query
from lifelong.foundation.runlog import RunLog, now
from lifelong.locks import try_lock

CLOCK = "raw.xapi_statements"
STAGED_BATCH_ROWS = 122_880  # rows per record batch handed to the Delta writer
ARROW_TYPES = {
    "bigint": pa.int64(),
    "string": pa.string(),
    "timestamptz": pa.timestamp("us", tz="UTC"),
    "boolean": pa.bool_(),
    "double": pa.float64(),
}


@dataclass
class ModelOutcome:
    """What happened to one model in a run."""

    name: str
    status: str  # built | unchanged | up_to_date | failed | skipped
    rows: int = 0
    audits: list[AuditResult] = field(default_factory=list)
    error: str | None = None
    window: tuple[str, str] | None = None

    @property
    def failed_audits(self) -> list[AuditResult]:
        return [a for a in self.audits if a.blocking]


@dataclass
class RunReport:
    """The result of one transform run."""

    run_id: str
    status: str  # ok | failed | busy
    outcomes: list[ModelOutcome] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def outcome(self, name: str) -> ModelOutcome:
        return next(o for o in self.outcomes if o.name == name)


Progress = Callable[[str, ModelOutcome | None], None]


def exclusive(settings: Settings) -> AbstractContextManager[bool]:
    """One transform at a time per lake (web scheduler and CLI); False when busy."""
    return try_lock(settings.lake_dir / ".transform.lock")


def empty_source(source: Source) -> pa.Table:
    """An empty table of the source's declared columns (nothing landed yet)."""
    schema = pa.schema([(c, ARROW_TYPES[t]) for c, t in source.columns.items()])
    return schema.empty_table()


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


class _Run:
    """State of one run on one DuckDB connection."""

    def __init__(self, settings: Settings, project: Project, full_refresh: bool) -> None:
        self.settings = settings
        self.project = project
        self.full_refresh = full_refresh
        # A database of its own: the run's staged rows and placeholders stay private.
        self.lake = Lake(settings)
        self.lake.refresh()
        self.connection = self.lake.connection
        self.log = RunLog(settings)
        self.versions: dict[str, int | None] = {}
        for source in project.sources.values():
            path = table_path(settings, source.layer, source.table)
            version = delta.latest_version(path)
            self.versions[source.name] = version
            if version is None:
                self.connection.register(f"__empty_{source.table}", empty_source(source))
                self.connection.execute(
                    f'CREATE OR REPLACE VIEW {source.layer}."{source.table}" AS '
                    f'SELECT * FROM "__empty_{source.table}"'
                )
        for model in project.models.values():
            path = table_path(settings, model.layer, model.table)
            self.versions[model.name] = delta.latest_version(path)

    def query(self, sql: str) -> pa.Table:
        return self.connection.execute(sql).to_arrow_table()

    def clock(self, after_seq: int) -> tuple[datetime, datetime, int] | None:
        """The stored-time window and last seq of statements exported after ``after_seq``."""
        row = self.connection.execute(
            # Naive UTC values (the session zone is UTC): no pytz needed to fetch them.
            f"SELECT CAST(MIN(stored) AS TIMESTAMP), CAST(MAX(stored) AS TIMESTAMP), MAX(seq) "
            f"FROM {CLOCK} WHERE seq > ?",
            [after_seq],
        ).fetchone()
        if row is None or row[2] is None:
            return None
        start = row[0].replace(tzinfo=UTC) if after_seq else EPOCH
        return start, row[1].replace(tzinfo=UTC) + timedelta(microseconds=1), int(row[2])

    def fingerprint(self, model: Model) -> str:
        inputs = sorted(f"{d}@{self.versions.get(d)}" for d in model.depends_on)
        parts = [model.sql, *inputs]
        if "CURRENT_DATE" in model.sql.upper():
            parts.append(datetime.now(UTC).date().isoformat())  # age bands move with the date
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()

    def stage(self, sql: str) -> int:
        """Run a model's SQL into the run's staging table; returns its row count.

        A DuckDB table, not an Arrow table in Python: DuckDB's buffer manager keeps it
        within its memory limit (``duckdb_memory_limit``, spilling if need be), which a
        materialised Arrow table would sit outside of, on top of it.
        """
        self.connection.execute(f'CREATE OR REPLACE TEMP TABLE "{STAGED}" AS {sql}')
        count = self.connection.execute(f'SELECT COUNT(*) FROM "{STAGED}"').fetchone()
        return int(count[0]) if count else 0

    def staged(self) -> pa.RecordBatchReader:
        """The staged rows as a stream of record batches (for the Delta writer).

        Consume it before the next query on this connection, which would end the stream.
        """
        return self.connection.execute(f'SELECT * FROM "{STAGED}"').to_arrow_reader(
            STAGED_BATCH_ROWS
        )

    def unstage(self) -> None:
        self.connection.execute(f'DROP TABLE IF EXISTS "{STAGED}"')

    def audit(self, model: Model) -> list[AuditResult]:
        results = []
        for audit in audits_of(model):
            count = self.connection.execute(f"SELECT COUNT(*) FROM ({audit.sql})").fetchone()
            failing = int(count[0]) if count else 0
            sample: list[dict[str, Any]] = []
            if failing:
                sample = self.query(f"{audit.sql} LIMIT {SAMPLE_ROWS}").to_pylist()
            results.append(AuditResult(audit.name, audit.severity, failing, sample))
        return results

    def build(self, model: Model) -> ModelOutcome:
        path = table_path(self.settings, model.layer, model.table)
        exists = self.versions.get(model.name) is not None
        fingerprint = self.fingerprint(model)
        state = None if self.full_refresh else self.log.state(model.name)
        rebuild = self.full_refresh or not exists or state is None
        watermark = 0
        window: tuple[datetime, datetime] = (EPOCH, EPOCH)
        if model.incremental:
            clock = self.clock(0 if rebuild else state[0])  # type: ignore[index]
            if clock is None:
                if not rebuild:
                    return ModelOutcome(model.name, "up_to_date")
                clock = (EPOCH, EPOCH, 0)
            window, watermark = (clock[0], clock[1]), clock[2]
        elif not rebuild and state is not None and state[1] == fingerprint:
            return ModelOutcome(model.name, "unchanged")
        outcome = ModelOutcome(model.name, "built", window=(_iso(window[0]), _iso(window[1])))
        outcome.rows = self.stage(render(model, "duckdb", window[0], window[1]))
        try:
            return self._write(model, outcome, path, rebuild, window, watermark)
        finally:
            self.unstage()

    def _write(
        self,
        model: Model,
        outcome: ModelOutcome,
        path: Path,
        rebuild: bool,
        window: tuple[datetime, datetime],
        watermark: int,
    ) -> ModelOutcome:
        """Audit the staged rows, then write them to the model's Delta table."""
        outcome.audits = self.audit(model)
        if outcome.failed_audits:
            outcome.status = "failed"
            names = ", ".join(a.name for a in outcome.failed_audits)
            outcome.error = f"audit failed: {names}"
            return outcome
        info = {"lifelong.model": model.name, "lifelong.watermark": watermark}
        touched_sql = touched_partitions_query(model, window[0], window[1])
        if not model.incremental or rebuild:
            # Day-replaced models are partitioned by day: replacing a day then drops and
            # writes that day's files only, instead of rewriting every file holding it.
            partition_by = [model.time_column] if touched_sql and model.time_column else None
            delta.overwrite(path, self.staged(), info=info, partition_by=partition_by)
        else:
            column = model.time_column or "day"
            values: list[Any] = []
            if touched_sql:  # queried first: a new query on the connection ends the stream
                source = self.query(touched_sql)
                values = sorted({v for v in source.column(column).to_pylist() if v is not None})
            staged = self.staged()
            if delta.column_names(path) != staged.schema.names:
                raise RuntimeError(
                    f"{model.name}: columns changed; run `lifelong transform --full-refresh`"
                )
            if touched_sql:
                delta.replace_partitions(path, staged, column, values, info=info)
            else:
                delta.replace_range(path, staged, column, window[0], window[1], info=info)
        self.versions[model.name] = delta.latest_version(path)
        self.lake.attach(model.layer, model.table, path)
        self.log.set_state(model.name, watermark=watermark, fingerprint=self.fingerprint(model))
        return outcome


def transform(
    settings: Settings,
    *,
    full_refresh: bool = False,
    select: str | None = None,
    progress: Progress | None = None,
    project: Project | None = None,
) -> RunReport:
    """Run the models (all, or ``select`` and everything downstream of it)."""
    project = project or default_project()
    names = list(project.order)
    if select:
        if select not in project.models:
            raise ModelError(
                f"no model named {select}; models: {', '.join(sorted(project.models))}"
            )
        wanted = {select} | project.downstream(select)
        names = [n for n in names if n in wanted]
    run_id = uuid.uuid4().hex
    with exclusive(settings) as mine:
        if not mine:
            return RunReport(run_id, "busy")
        run = _Run(settings, project, full_refresh)
        run.log.start_run(run_id, full_refresh=full_refresh, selected=select)
        report = RunReport(run_id, "ok")
        broken: set[str] = set()
        try:
            for name in names:
                model = project.models[name]
                if progress:
                    progress(name, None)
                started = now()
                if model.depends_on & broken:
                    outcome = ModelOutcome(name, "skipped", error="an upstream model failed")
                else:
                    try:
                        outcome = run.build(model)
                    except (duckdb.Error, DeltaError, OSError, RuntimeError, ValueError) as exc:
                        outcome = ModelOutcome(name, "failed", error=str(exc).splitlines()[0])
                if outcome.status in ("failed", "skipped"):
                    broken.add(name)
                    report.status = "failed"
                run.log.record_model(
                    run_id,
                    name,
                    started=started,
                    status=outcome.status,
                    rows=outcome.rows,
                    window=outcome.window,
                    audits=[a.as_dict() for a in outcome.audits],
                    error=outcome.error,
                )
                report.outcomes.append(outcome)
                if progress:
                    progress(name, outcome)
        finally:
            run.log.finish_run(run_id, report.status)
            run.connection.close()
        return report
