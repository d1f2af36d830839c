"""The bulk ingestion path (contract C2): JSON-lines files or iterables of statements.

Same validation as POST /xapi/statements, stored durably in large transactions,
idempotent (same id + same content is a no-op; same id + other content is a rejected
line), and resumable: a checkpoint per file records the byte offset of the last
committed chunk, and whatever a crash left between commit and checkpoint is skipped as
duplicates on the next run. Statements without an id get a name-based UUID (RFC 4122
version 5) of their content, so re-running a file never stores them twice.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

from lifelong.config import Settings
from lifelong.db.engine import engine_from_settings, make_session_factory, transaction
from lifelong.db.migrate import upgrade
from lifelong.learning.xapi import extension
from lifelong.records.credentials import XapiClient, ensure_client
from lifelong.records.records import StatementRecord, build_record, ifi_key
from lifelong.records.repository import Batch, BatchOutcome, StatementRepository
from lifelong.records.store import deferred_indexes, open_store
from lifelong.records.validation import Shared, StatementError, validator
from lifelong.records.versions import V1
from lifelong.records.writer import StatementWriter

CHUNK_LINES = 20_000
ID_NAMESPACE = uuid.UUID("8f0c1b6e-4d0a-5d7e-9b57-2f3c1f0a7d11")


@dataclass
class BulkReport:
    """What a bulk run did."""

    stored: int = 0
    duplicates: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)


Item = tuple[str, Any]  # (location, parsed statement or a parse error message)


@dataclass
class Validated:
    """A chunk validated and turned into records, ready for the writer.

    What ``validate_chunk`` returns: a pure function of the items and the client, so a
    caller may run it wherever its statements are built (the generator's workers do) and
    hand the result to a bulk session; the validation is the same either way.
    """

    client_name: str
    version: str
    records: list[StatementRecord] = field(default_factory=list)
    where: dict[str, str] = field(default_factory=dict)
    rejected: list[tuple[str, str]] = field(default_factory=list)
    duplicates: int = 0
    # Content hash of each id accepted so far (what a repeat is compared with).
    hashes: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    def accept(self, location: str, record: StatementRecord) -> None:
        """Keep ``record`` unless its id came earlier in the chunk: then it is a duplicate
        (same content) or refused (other content)."""
        known = self.hashes.get(record.statement_id)
        if known is not None:
            if known == record.content_hash:
                self.duplicates += 1
            else:
                self.rejected.append(
                    (location, f"statement id {record.statement_id} repeated with other content")
                )
            return
        self.hashes[record.statement_id] = record.content_hash
        self.where[record.statement_id] = location
        self.records.append(record)


def validate_chunk(
    items: Iterable[Item], client: XapiClient, version: str, branch_extension: str
) -> Validated:
    """Validate statements as POST /xapi/statements does and build their records."""
    check = validator(version)
    # Statements built in this process may share objects (the generator's do): each
    # shared object is checked once for the chunk (``Shared``).
    shared = Shared()
    out = Validated(client_name=client.name, version=version)
    for location, stmt in items:
        if isinstance(stmt, str):
            out.rejected.append((location, stmt))
            continue
        try:
            check.statement(stmt, shared=shared)
        except StatementError as exc:
            out.rejected.append((location, exc.message))
            continue
        if "id" not in stmt:
            content = orjson.dumps(stmt, option=orjson.OPT_SORT_KEYS).decode()
            stmt["id"] = str(uuid.uuid5(ID_NAMESPACE, content))
        record = build_record(stmt, client, version, branch_extension)
        record.statement = {}  # the writer stores ``body``: no need to hold the dict too
        out.accept(location, record)
    return out


def bulk_client(settings: Settings, client_name: str) -> XapiClient:
    """The LRS client bulk statements are stored as (its credential is created if absent)."""
    engine = engine_from_settings(settings)
    try:
        upgrade(engine)
        with transaction(make_session_factory(engine)) as session:
            return ensure_client(session, client_name, settings.iri_base)
    finally:
        engine.dispose()


def branch_extension(settings: Settings) -> str:
    """The context extension a statement names its branch with (contract C1)."""
    return extension(settings.iri_base, "branch")


class _Ingestor:
    """Validates chunks and hands them to the writer thread (one chunk in flight)."""

    def __init__(
        self,
        settings: Settings,
        client_name: str,
        version: str,
        *,
        defer: bool = False,
        client: XapiClient | None = None,
    ) -> None:
        """Resolve the client's credential (unless given) and open the store."""
        self.client: XapiClient = client or bulk_client(settings, client_name)
        self.engine = open_store(settings, build_missing_indexes=not defer)
        repository = StatementRepository(self.engine)
        self.writer = StatementWriter(repository)
        self.version = version
        self.branch_extension = branch_extension(settings)
        self.authority_ifi = ifi_key(self.client.authority)
        self.report = BulkReport()

    def close(self) -> None:
        """Stop the writer and close the store."""
        self.writer.close()
        self.engine.dispose()

    def submit(self, items: Sequence[Item]) -> tuple[Future[BatchOutcome], dict[str, str]]:
        """Validate a chunk and queue it for writing; returns the future and id locations."""
        return self.submit_validated(
            validate_chunk(items, self.client, self.version, self.branch_extension)
        )

    def submit_validated(self, validated: Validated) -> tuple[Future[BatchOutcome], dict[str, str]]:
        """Queue a validated chunk for writing; returns the future and id locations."""
        if validated.client_name != self.client.name or validated.version != self.version:
            raise ValueError("a chunk validated for another client or version")
        self.report.rejected.extend(validated.rejected)
        self.report.duplicates += validated.duplicates
        batch = Batch(
            records=validated.records,
            client=self.client.name,
            authority_ifi=self.authority_ifi,
            version=self.version,
            per_statement=True,
        )
        return self.writer.submit(batch), validated.where

    def store(self, validated: Validated) -> BulkReport:
        """Write one validated chunk (in slices) and return what happened to it alone."""
        return self.store_all([validated])

    def store_all(self, chunks: Iterable[Validated]) -> BulkReport:
        """Write validated chunks (each in slices) and return what happened to them alone.

        ``chunks`` may be lazy: the next is taken (validated, say) while the writer
        thread commits the one before.
        """
        before = BulkReport(self.report.stored, self.report.duplicates, list(self.report.rejected))
        self.settle_all(self.submit_validated(part) for part in _slices(chunks))
        return BulkReport(
            self.report.stored - before.stored,
            self.report.duplicates - before.duplicates,
            self.report.rejected[len(before.rejected) :],
        )

    def settle_all(self, submitted: Iterable[tuple[Future[BatchOutcome], dict[str, str]]]) -> None:
        """Settle each submission once the next is queued (one chunk written while the
        next is validated), then the last."""
        pending: tuple[Future[BatchOutcome], dict[str, str]] | None = None
        for submission in submitted:
            if pending is not None:
                self.settle(*pending)
            pending = submission
        if pending is not None:
            self.settle(*pending)

    def settle(self, future: Future[BatchOutcome], where: dict[str, str]) -> None:
        """Wait for a chunk's commit and add its outcome to the report."""
        outcome = future.result()
        self.report.stored += outcome.stored
        self.report.duplicates += outcome.duplicates
        for statement_id in outcome.conflicting:
            self.report.rejected.append(
                (
                    where.get(statement_id, statement_id),
                    f"statement {statement_id} already stored with different content (409)",
                )
            )


def _parse(location: str, line: bytes) -> Item:
    """One JSON line, or the reason it is not a statement."""
    try:
        return location, orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        return location, f"not valid JSON: {exc}"


def _checkpoint_path(settings: Settings) -> Path:
    """Where bulk runs record how far each file got."""
    return settings.data_dir / "lrs-bulk-checkpoints.json"


def _load_checkpoints(settings: Settings) -> dict[str, dict[str, int]]:
    """The checkpoints of earlier runs."""
    path = _checkpoint_path(settings)
    if not path.exists():
        return {}
    try:
        data: dict[str, dict[str, int]] = orjson.loads(path.read_bytes())
        return data
    except orjson.JSONDecodeError:
        return {}


def _save_checkpoints(settings: Settings, checkpoints: dict[str, dict[str, int]]) -> None:
    """Write the checkpoints atomically (temp file + rename)."""
    path = _checkpoint_path(settings)
    temp = path.with_suffix(".tmp")
    temp.write_bytes(orjson.dumps(checkpoints))
    os.replace(temp, path)


def _chunks(path: Path, start: int) -> Iterator[tuple[list[Item], int, int]]:
    """Chunks of parsed lines with the byte offset after each chunk and its byte size."""
    with open(path, "rb") as handle:
        handle.seek(start)
        offset = start
        line_no = 0 if start == 0 else -1  # line numbers are exact only from the start
        items: list[Item] = []
        size = 0
        for line in handle:
            offset += len(line)
            size += len(line)
            if line_no >= 0:
                line_no += 1
            if not line.strip():
                continue
            location = f"{path.name}:{line_no}" if line_no >= 0 else f"{path.name}@{offset}"
            items.append(_parse(location, line))
            if len(items) >= CHUNK_LINES:
                yield items, offset, size
                items, size = [], 0
        if items or size:
            yield items, offset, size


def _progress(enabled: bool) -> Progress:
    """A Rich progress bar (disabled when not wanted)."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeRemainingColumn(),
        disable=not enabled,
        transient=False,
    )


def ingest_files(
    settings: Settings,
    paths: Sequence[Path],
    *,
    client_name: str,
    progress: bool = True,
    version: str = V1,
) -> BulkReport:
    """Ingest JSON-lines statement files, resuming each from its checkpoint."""
    ingestor = _Ingestor(settings, client_name, version)
    checkpoints = _load_checkpoints(settings)
    try:
        total = sum(Path(p).stat().st_size for p in paths)
        with _progress(progress) as bar:
            task = bar.add_task("statements", total=total, rate="")
            for raw_path in paths:
                path = Path(raw_path).resolve()
                stat = path.stat()
                key = str(path)
                mark = checkpoints.get(key)
                start = 0
                if mark and mark["size"] == stat.st_size and mark["mtime_ns"] == stat.st_mtime_ns:
                    start = mark["offset"]
                bar.advance(task, start)
                pending: tuple[Future[BatchOutcome], dict[str, str], int, int] | None = None
                for items, offset, size in _chunks(path, start):
                    future, where = ingestor.submit(items)
                    if pending is not None:
                        _finish(ingestor, pending, checkpoints, key, stat, settings, bar, task)
                    pending = (future, where, offset, size)
                if pending is not None:
                    _finish(ingestor, pending, checkpoints, key, stat, settings, bar, task)
    finally:
        ingestor.close()
    return ingestor.report


def _finish(
    ingestor: _Ingestor,
    pending: tuple[Future[BatchOutcome], dict[str, str], int, int],
    checkpoints: dict[str, dict[str, int]],
    key: str,
    stat: os.stat_result,
    settings: Settings,
    bar: Progress,
    task: Any,
) -> None:
    """Settle a committed chunk, then move the file's checkpoint past it."""
    future, where, offset, size = pending
    ingestor.settle(future, where)
    checkpoints[key] = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "offset": offset}
    _save_checkpoints(settings, checkpoints)
    bar.update(task, advance=size, rate=f"{ingestor.report.stored:,} stored")


def _slices(chunks: Iterable[Validated]) -> Iterator[Validated]:
    """Each chunk in slices of at most CHUNK_LINES records (transactions of bounded size)."""
    for chunk in chunks:
        records = chunk.records
        for start in range(0, max(len(records), 1), CHUNK_LINES):
            first = start == 0
            yield Validated(
                client_name=chunk.client_name,
                version=chunk.version,
                records=records[start : start + CHUNK_LINES],
                where=chunk.where,
                rejected=chunk.rejected if first else [],
                duplicates=chunk.duplicates if first else 0,
            )


def ingest_validated(
    settings: Settings, chunks: Iterable[Validated], *, client_name: str, version: str = V1
) -> BulkReport:
    """Store chunks validated by ``validate_chunk``."""
    with bulk_session(settings, client_name=client_name, version=version) as session:
        for validated in chunks:
            session.store(validated)
        return session.report


@contextmanager
def bulk_session(
    settings: Settings,
    *,
    client_name: str,
    version: str = V1,
    defer_indexes: bool = False,
    client: XapiClient | None = None,
) -> Iterator[_Ingestor]:
    """One open store for many validated chunks (``.store(validated)`` each).

    ``defer_indexes`` drops the filter indexes for the session and builds them at its
    end (``store.deferred_indexes``): one sorted pass per index instead of entries added
    statement by statement. The segment-led indexes make the live entries cheap, so
    only a load far larger than the store may gain (the generator does not defer).
    ``client``: the client already resolved (``bulk_client``), so the operational store
    is not touched.
    """
    ingestor = _Ingestor(settings, client_name, version, defer=defer_indexes, client=client)
    try:
        if defer_indexes:
            with deferred_indexes(ingestor.engine):
                yield ingestor
        else:
            yield ingestor
    finally:
        ingestor.close()


def ingest_statements(
    settings: Settings,
    statements: Iterable[dict[str, Any]],
    *,
    client_name: str,
    progress: bool = False,
    version: str = V1,
) -> BulkReport:
    """Ingest statements from an iterable (idempotent; no checkpoint: re-run to resume)."""
    ingestor = _Ingestor(settings, client_name, version)
    try:
        with _progress(progress) as bar:
            task = bar.add_task("statements", total=None, rate="")

            def submissions() -> Iterator[tuple[Future[BatchOutcome], dict[str, str]]]:
                items: list[Item] = []
                for index, stmt in enumerate(statements):
                    items.append((f"statement[{index}]", stmt))
                    if len(items) >= CHUNK_LINES:
                        yield ingestor.submit(items)
                        items = []
                        bar.update(task, advance=CHUNK_LINES, rate=f"{ingestor.report.stored:,}")
                if items:
                    yield ingestor.submit(items)

            ingestor.settle_all(submissions())
    finally:
        ingestor.close()
    return ingestor.report
