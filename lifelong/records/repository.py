"""SQL of the statement store, on raw DB-API connections (SQLite or PostgreSQL).

The ORM is bypassed on purpose: ingest runs at tens of thousands of statements per
second, where per-row object overhead would dominate. Writes are serialised (SQLite's
write lock, a PostgreSQL advisory lock) so that ``seq`` order is commit order, which the
lakehouse export relies on (contract C1).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Engine

from lifelong.records.formats import format_timestamp
from lifelong.records.id_index import IdDirectory, id_number, last_seq, statement_seq
from lifelong.records.records import (
    StatementRecord,
    id_halves,
    index_key,
    stored_json,
)
from lifelong.records.tables import SEGMENT_BITS
from lifelong.records.validation import VOIDED

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: SQLite's busy handler serialises
    fcntl = None  # type: ignore[assignment]

WRITE_LOCK_ID = 74_221_903  # pg_advisory_xact_lock key of the statement writer
CHUNK = 500
WAL_BOUND_PAGES = 2_500  # ~40 MB of 16 KiB pages (store.PAGE_SIZE; SQLite default 1 000)

INSERT_STATEMENT = (
    "INSERT INTO lrs_statements (seq, seg, statement_id, id_hi, id_lo, stored, timestamp, verb_id, "
    "actor_ifi, object_ifi, object_type, activity_id, registration, authority_ifi, voided, "
    "voids, client, branch_code, version, content_hash, attachments, statement, actor_key, "
    "verb_key, object_key, activity_key, registration_key, authority_key) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
STATEMENT_COLUMNS = INSERT_STATEMENT[INSERT_STATEMENT.index("(") : INSERT_STATEMENT.index(")") + 1]
# SQLite: a chunk of rows goes in as multi-row INSERT ... VALUES (...), (...) statements,
# each one statement step. executemany steps once a row and re-takes the GIL after each
# step, so the writer thread queued behind request handling for every row (a GIL
# convoy); a multi-row insert runs a whole chunk in SQLite's C code with the GIL released.
# (Rows as one JSON array unpacked by json_each did the same, but extracting 28 values
# a row from JSON cost ~60 us a statement: benchmarks/bench_lrs_writer.py measures the
# writer alone with each form.)
ROWS_PER_INSERT = 256  # x 28 parameters: within SQLite's 32 766


@lru_cache(maxsize=64)
def _values_insert(head: str, columns: int, rows: int) -> str:
    """``head`` + ``VALUES`` with ``rows`` groups of ``columns`` placeholders."""
    group = "(" + ",".join("?" * columns) + ")"
    return head + " VALUES " + ",".join([group] * rows)


def _insert_rows(cursor: Any, head: str, rows: Sequence[tuple[Any, ...]]) -> None:
    """Insert ``rows`` (all of one width) in multi-row statements of ROWS_PER_INSERT."""
    if not rows:
        return
    width = len(rows[0])
    for start in range(0, len(rows), ROWS_PER_INSERT):
        part = rows[start : start + ROWS_PER_INSERT]
        cursor.execute(
            _values_insert(head, width, len(part)), [value for row in part for value in row]
        )


# SQLite: what a statement's row is made of in the multi-row insert. ``?1`` is the
# group's ``stored``, ``?2``/``?3`` the text that closes a statement's JSON with it (and
# with the defaulted ``timestamp``: Data 2.4.7); a row's own values are its ``seq``, its
# record's ``row`` (``records.make_row``, built with the record, outside the writer's
# serial section) and its batch's BATCH_COLUMNS, numbered after SHARED_PARAMETERS.
ROW_COLUMNS = (
    "statement_id",
    "id_hi",
    "id_lo",
    "timestamp",
    "verb_id",
    "actor_ifi",
    "object_ifi",
    "object_type",
    "activity_id",
    "registration",
    "voids",
    "branch_code",
    "content_hash",
    "attachments",
    "statement",
    "actor_key",
    "verb_key",
    "object_key",
    "activity_key",
    "registration_key",
)
BATCH_COLUMNS = ("authority_ifi", "client", "version", "authority_key")
SHARED_PARAMETERS = 3
ROW_PARAMETERS = 1 + len(ROW_COLUMNS) + len(BATCH_COLUMNS)


def _row_expressions(segment_bits: int) -> list[str]:
    """The VALUES expressions of one row, in STATEMENT_COLUMNS order, with ``$N`` for its
    N-th own parameter ($1: seq)."""
    own = {name: f"${2 + index}" for index, name in enumerate(ROW_COLUMNS)}
    own.update({name: f"${2 + len(ROW_COLUMNS) + i}" for i, name in enumerate(BATCH_COLUMNS)})
    special = {
        "seq": "$1",
        "seg": f"$1 >> {segment_bits}",
        "stored": "?1",
        "timestamp": f"coalesce({own['timestamp']}, ?1)",
        "voided": "0",  # statements voided before they arrived are marked after the insert
        "statement": f"{own['statement']} || CASE WHEN {own['timestamp']} IS NULL "
        "THEN ?3 ELSE ?2 END",
    }
    names = [name.strip() for name in STATEMENT_COLUMNS.strip("()").split(",")]
    return [special.get(name) or own[name] for name in names]


@lru_cache(maxsize=64)
def _numbered_insert(rows: int, segment_bits: int) -> str:
    """The multi-row statement insert for ``rows`` rows with numbered parameters."""
    row_template = "(" + ",".join(_row_expressions(segment_bits)) + ")"
    pieces = re.split(r"\$(\d+)", row_template)  # text, number, text, number, ..., text
    groups = []
    for row in range(rows):
        base = SHARED_PARAMETERS + row * ROW_PARAMETERS
        groups.append(
            "".join(
                piece if index % 2 == 0 else f"?{base + int(piece)}"
                for index, piece in enumerate(pieces)
            )
        )
    return "INSERT INTO lrs_statements " + STATEMENT_COLUMNS + " VALUES " + ",".join(groups)


AGENT_HEAD = "INSERT INTO lrs_statement_agents (seq, seg, ifi)"
ACTIVITY_HEAD = "INSERT INTO lrs_statement_activities (seq, seg, activity_id)"
INSERT_AGENT = AGENT_HEAD + " VALUES (?, ?, ?)"
INSERT_ACTIVITY = ACTIVITY_HEAD + " VALUES (?, ?, ?)"
INSERT_ATTACHMENT = (
    "INSERT INTO lrs_attachments (sha2, content_type, length, content) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (sha2) DO NOTHING"
)


@dataclass
class BatchOutcome:
    """What happened to one submitted batch inside a write."""

    ids: list[str] = field(default_factory=list)
    stored: int = 0
    duplicates: int = 0
    conflict: str | None = None
    conflicting: list[str] = field(default_factory=list)


@dataclass
class Batch:
    """Statements submitted together: all stored, or none when one conflicts."""

    records: list[StatementRecord]
    client: str
    authority_ifi: str
    version: str
    attachments: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    # Bulk imports refuse only the conflicting statements, not their whole batch.
    per_statement: bool = False


def _full_rows(
    accepted: Sequence[tuple[Batch, StatementRecord]], stored: str
) -> list[tuple[Any, ...]]:
    """Every column of each accepted record's row, in STATEMENT_COLUMNS order (what the
    PostgreSQL path binds; ``seq`` and ``stored`` are already on the records)."""
    rows = []
    for batch, record in accepted:
        rows.append(
            (
                record.seq,
                record.seq >> SEGMENT_BITS,
                record.statement_id,
                *id_halves(record.statement_id),
                stored,
                record.timestamp_key or stored,  # Data 2.4.7: default to stored
                record.verb_id,
                record.actor_ifi,
                record.object_ifi,
                record.object_type,
                record.activity_id,
                record.registration,
                batch.authority_ifi,
                False,  # voided on arrival: set after the insert
                record.voids,
                batch.client,
                record.branch_code,
                batch.version,
                record.content_hash,
                record.attachments,
                stored_json(record),
                *record.keys,
                index_key(batch.authority_ifi),
            )
        )
    return rows


class StatementRepository:
    """Reads and writes the statement tables."""

    def __init__(self, engine: Engine) -> None:
        """Bind to the store's engine."""
        self.engine = engine
        self.postgres = engine.dialect.name == "postgresql"
        # SQLite: where each statement id is (records.id_index); the new ids of the
        # write in progress, id number -> seq, join it once the write is durable.
        self._ids = None if self.postgres else IdDirectory()
        self._staged: dict[int, int] = {}
        self._last_written = 0  # the newest seq as of the write in progress
        self._writer: Any = None
        self._lock_fd: int | None = None
        database = engine.url.database
        # Web workers are separate processes, each with its own writer thread: they take
        # turns through an flock(2) on a file beside the store before BEGIN IMMEDIATE. The
        # kernel hands the lock over the moment it is released, where SQLite's own busy
        # handler would sleep and retry (up to 100 ms a try) and starve the other worker.
        self._lock_path = (
            f"{database}.write-lock"
            if fcntl is not None and not self.postgres and database not in (None, "", ":memory:")
            else None
        )

    def sql(self, text: str) -> str:
        """Adapt ``?`` placeholders to the driver's paramstyle."""
        return text.replace("?", "%s") if self.postgres else text

    # -- connections ---------------------------------------------------------------------
    @contextmanager
    def reading(self) -> Iterator[Any]:
        """A pooled DB-API cursor for reads."""
        connection = self.engine.raw_connection()
        try:
            cursor = connection.cursor()
            try:
                yield cursor
            finally:
                cursor.close()
            connection.rollback()
        finally:
            connection.close()

    def _writer_connection(self) -> Any:
        """The one connection that writes (kept open; autocommit off, explicit BEGIN)."""
        if self._writer is None:
            self._writer = self.engine.raw_connection()
            if not self.postgres:
                self._writer.driver_connection.isolation_level = None
                # The checkpointer thread checkpoints between commits (records.writer);
                # under sustained writes its PASSIVE checkpoints never catch up with the
                # newest commit, so the WAL would never be reset: past WAL_BOUND_PAGES the
                # writer checkpoints itself after a commit, when nothing else writes.
                cursor = self._writer.cursor()
                cursor.execute(f"PRAGMA wal_autocheckpoint={WAL_BOUND_PAGES}")
                cursor.close()
        return self._writer

    def checkpoint(self) -> None:
        """Copy committed WAL pages into the SQLite database file (PASSIVE: never blocks)."""
        connection = self.engine.raw_connection()
        try:
            cursor = connection.cursor()
            cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
            cursor.fetchall()
            cursor.close()
        finally:
            connection.close()

    def close(self) -> None:
        """Release the writer connection."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    @contextmanager
    def _process_lock(self) -> Iterator[None]:
        """Exclusive across processes for one write (a no-op on PostgreSQL, :memory:)."""
        if self._lock_path is None:
            yield
            return
        if self._lock_fd is None:
            self._lock_fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)

    def fetch(self, text: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run a read query and return all rows."""
        with self.reading() as cursor:
            cursor.execute(self.sql(text), tuple(params))
            return list(cursor.fetchall())

    def seq_stored_by(self, bound: str) -> int:
        """The last seq stored at or before ``bound`` (0 when none): since/until as seq.

        ``stored`` never decreases as ``seq`` grows, so a binary search over the primary
        key answers in ~log2(n) point lookups without an index on ``stored``.
        """
        with self.reading() as cursor:
            cursor.execute("SELECT max(seq) FROM lrs_statements")
            low, high = 0, int(cursor.fetchone()[0] or 0)
            probe = self.sql(
                "SELECT seq, stored FROM lrs_statements WHERE seq >= ? ORDER BY seq LIMIT 1"
            )
            while low < high:
                middle = (low + high + 1) // 2
                cursor.execute(probe, (middle,))
                row = cursor.fetchone()
                if row is None or row[0] > high or row[1] > bound:
                    high = middle - 1
                else:
                    low = int(row[0])
            return low

    def attachments(self, hashes: Sequence[str]) -> list[tuple[str, str, bytes]]:
        """Stored attachment payloads for ``hashes``: (sha2, content type, bytes)."""
        if not hashes:
            return []
        marks = ",".join("?" * len(hashes))
        rows = self.fetch(
            f"SELECT sha2, content_type, content FROM lrs_attachments WHERE sha2 IN ({marks})",
            [h.lower() for h in hashes],
        )
        return [(row[0], row[1], bytes(row[2])) for row in rows]

    # -- writing -------------------------------------------------------------------------
    def write(self, batches: Sequence[Batch]) -> list[BatchOutcome]:
        """Store the batches in one transaction (group commit); durable on return."""
        with self._process_lock():
            return self._write(batches)

    def _write(self, batches: Sequence[Batch]) -> list[BatchOutcome]:
        """The transaction of ``write``, under the process lock."""
        connection = self._writer_connection()
        cursor = connection.cursor()
        try:
            if self.postgres:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK_ID,))
            else:
                cursor.execute("BEGIN IMMEDIATE")
            self._staged = {}
            outcomes = self._write_locked(cursor, batches)
            if self.postgres:
                connection.commit()
            else:
                cursor.execute("COMMIT")
                assert self._ids is not None
                self._ids.commit(self._staged, self._last_written)
            return outcomes
        except BaseException:
            if self.postgres:
                connection.rollback()
            else:
                if self._ids is not None:
                    self._ids.forget()
                with suppress(Exception):
                    cursor.execute("ROLLBACK")
            raise
        finally:
            self._staged = {}
            cursor.close()

    def merge_ids(self) -> bool:
        """SQLite: merge the sealed segments' ids when enough wait (``id_index``); True
        when a merge ran. The writer calls it after answering a group; a failed merge
        changes nothing and is tried again after a later group."""
        if self._ids is None or not self._ids.merge_due():
            return False
        with self._process_lock():
            cursor = self._writer_connection().cursor()
            try:
                cursor.execute("BEGIN IMMEDIATE")
                self._ids.catch_up(cursor, last_seq(cursor))
                reached = self._ids.merge(cursor)
                cursor.execute("COMMIT")
            except BaseException:
                self._ids.forget()
                with suppress(Exception):
                    cursor.execute("ROLLBACK")
                raise
            finally:
                cursor.close()
            self._ids.merged(reached)
            return True

    def statement_seq(self, statement_id: str) -> int | None:
        """The ``seq`` of a stored statement id (None when it is not stored)."""
        with self.reading() as cursor:
            if not self.postgres:
                return statement_seq(cursor, statement_id)
            cursor.execute(
                "SELECT seq FROM lrs_statements WHERE id_hi = %s AND id_lo = %s",
                id_halves(statement_id),
            )
            row = cursor.fetchone()
            return int(row[0]) if row else None

    def _insert_sqlite(
        self,
        cursor: Any,
        accepted: Sequence[tuple[Batch, StatementRecord]],
        first_seq: int,
        stored: str,
        agent_rows: Sequence[tuple[int, int, str]],
        activity_rows: Sequence[tuple[int, int, str]],
    ) -> None:
        """A group's rows into SQLite as multi-row inserts of numbered parameters.

        A row binds its ``seq``, its record's prepared ``row`` and its batch's values;
        ``seg``, ``stored``, the defaulted ``timestamp`` and the stored JSON are made by
        SQLite (``_row_expressions``), so the writer builds no tuple and no text a row.
        """
        closing = (f',"stored":"{stored}"}}', f',"stored":"{stored}","timestamp":"{stored}"}}')
        tails: dict[int, tuple[Any, ...]] = {}
        seq = first_seq
        for start in range(0, len(accepted), ROWS_PER_INSERT):
            part = accepted[start : start + ROWS_PER_INSERT]
            params: list[Any] = [stored, *closing]
            for batch, record in part:
                tail = tails.get(id(batch))
                if tail is None:
                    authority_key = index_key(batch.authority_ifi)
                    tail = (batch.authority_ifi, batch.client, batch.version, authority_key)
                    tails[id(batch)] = tail
                params.append(seq)
                params.extend(record.row)
                params.extend(tail)
                seq += 1
            cursor.execute(_numbered_insert(len(part), SEGMENT_BITS), params)
        _insert_rows(cursor, AGENT_HEAD, agent_rows)
        _insert_rows(cursor, ACTIVITY_HEAD, activity_rows)

    def _rows_where_in(
        self, cursor: Any, select: str, column: str, values: Sequence[Any]
    ) -> Iterator[tuple[Any, ...]]:
        """``SELECT {select} FROM lrs_statements WHERE {column} IN (values)``, CHUNK at a time."""
        for start in range(0, len(values), CHUNK):
            part = list(values[start : start + CHUNK])
            marks = ",".join("?" * len(part))
            cursor.execute(
                self.sql(f"SELECT {select} FROM lrs_statements WHERE {column} IN ({marks})"),
                part,
            )
            yield from cursor.fetchall()

    def _existing(self, cursor: Any, ids: list[str], column: str, select: str) -> dict[str, Any]:
        """Map each of ``ids`` found in ``column`` to the ``select`` value."""
        return dict(self._rows_where_in(cursor, f"{column}, {select}", column, ids))

    def _stored_hashes(self, cursor: Any, ids: list[str]) -> dict[str, str]:
        """The content hash of each of ``ids`` already stored.

        SQLite: the id directory gives each stored id's ``seq`` (``id_index``), and the
        rows are read by it. PostgreSQL: the unique id index, as follows.

        Each id is looked up by both 64-bit halves, through a join from a VALUES list
        (the form both engines search the index with; SQLite scans the table for a
        row-value ``IN``). The high half alone is not selective for version 7 ids: ids
        minted in one millisecond share 52 of its bits, and a generated chunk's share all
        but 12, so a look-up by it read about 13 stored rows an id at ``small``.
        """
        if self._ids is not None:
            by_seq = {
                seq: statement_id for statement_id, seq in self._ids.seqs(cursor, ids).items()
            }
            rows = self._rows_where_in(
                cursor, "seq, statement_id, content_hash", "seq", list(by_seq)
            )
            return {sid: content for seq, sid, content in rows if by_seq[seq] == sid}
        found: dict[str, str] = {}
        for start in range(0, len(ids), CHUNK):
            part = ids[start : start + CHUNK]
            cursor.execute(
                self.sql(
                    "SELECT s.statement_id, s.content_hash FROM (VALUES "
                    + ",".join(["(?, ?)"] * len(part))
                    + ") AS v CROSS JOIN lrs_statements s "
                    "WHERE s.id_hi = v.column1 AND s.id_lo = v.column2"
                ),
                [half for statement_id in part for half in id_halves(statement_id)],
            )
            found.update(cursor.fetchall())
        return found

    def _write_locked(self, cursor: Any, batches: Sequence[Batch]) -> list[BatchOutcome]:
        """The body of a write, under the store's write lock."""
        cursor.execute("SELECT seq, stored FROM lrs_statements ORDER BY seq DESC LIMIT 1")
        last = cursor.fetchone()
        seq, last_stored = (last[0], last[1]) if last else (0, "")
        self._last_written = seq
        if self._ids is not None:
            self._ids.catch_up(cursor, seq)
        stored = max(format_timestamp(datetime.now(UTC)), last_stored)
        all_ids = list({r.statement_id for batch in batches for r in batch.records})
        existing = self._stored_hashes(cursor, all_ids)
        added: dict[str, str] = {}
        outcomes: list[BatchOutcome] = []
        accepted: list[tuple[Batch, StatementRecord]] = []
        for batch in batches:
            outcome = BatchOutcome(ids=[r.statement_id for r in batch.records])
            fresh: list[StatementRecord] = []
            for record in batch.records:
                known = existing.get(record.statement_id) or added.get(record.statement_id)
                if known is None:
                    fresh.append(record)
                elif known == record.content_hash:
                    outcome.duplicates += 1
                elif batch.per_statement:
                    outcome.conflicting.append(record.statement_id)
                else:
                    outcome.conflict = (
                        f"statement {record.statement_id} already exists with different "
                        "content (xAPI Communication 2.1.1: statements are immutable)"
                    )
                    break
            if outcome.conflict is None:
                for record in fresh:
                    added[record.statement_id] = record.content_hash
                    accepted.append((batch, record))
                outcome.stored = len(fresh)
            outcomes.append(outcome)
        if not accepted:
            return outcomes
        # A statement voided before it arrived is voided on arrival (Data 2.3.2).
        pre_voided = set(
            self._existing(cursor, [r.statement_id for _, r in accepted], "voids", "seq")
        )
        first_seq = seq + 1
        agent_rows: list[tuple[int, int, str]] = []
        activity_rows: list[tuple[int, int, str]] = []
        voids: list[str] = []
        voided_on_arrival: list[int] = []
        for _batch, record in accepted:
            seq += 1
            record.seq = seq
            record.stored = stored
            if record.related_agents:
                agent_rows.extend((seq, seq >> SEGMENT_BITS, i) for i in record.related_agents)
            if record.related_activities:
                activity_rows.extend(
                    (seq, seq >> SEGMENT_BITS, a) for a in record.related_activities
                )
            if record.voids:
                voids.append(record.voids)
            if pre_voided and record.statement_id in pre_voided and record.verb_id != VOIDED:
                voided_on_arrival.append(seq)
            if self._ids is not None:
                self._staged[id_number(record.statement_id)] = seq
        self._last_written = seq
        if self.postgres:
            cursor.executemany(self.sql(INSERT_STATEMENT), _full_rows(accepted, stored))
            if agent_rows:
                cursor.executemany(self.sql(INSERT_AGENT), agent_rows)
            if activity_rows:
                cursor.executemany(self.sql(INSERT_ACTIVITY), activity_rows)
        else:
            self._insert_sqlite(cursor, accepted, first_seq, stored, agent_rows, activity_rows)
        if voided_on_arrival:
            cursor.executemany(
                self.sql("UPDATE lrs_statements SET voided = ? WHERE seq = ?"),
                [(True, voided_seq) for voided_seq in voided_on_arrival],
            )
        if voids and self._ids is not None:
            # A voiding statement cannot itself be voided (Data 2.3.2).
            targets = self._ids.seqs(cursor, voids, self._staged)
            cursor.executemany(
                "UPDATE lrs_statements SET voided = 1 "
                "WHERE seq = ? AND statement_id = ? AND verb_id <> ?",
                [(target_seq, target, VOIDED) for target, target_seq in targets.items()],
            )
        elif voids:
            # A voiding statement cannot itself be voided (Data 2.3.2).
            cursor.executemany(
                self.sql(
                    "UPDATE lrs_statements SET voided = ? "
                    "WHERE id_hi = ? AND id_lo = ? AND statement_id = ? AND verb_id <> ?"
                ),
                [(True, *id_halves(target), target, VOIDED) for target in voids],
            )
        blobs = {sha: item for batch, _ in accepted for sha, item in batch.attachments.items()}
        if blobs:
            cursor.executemany(
                self.sql(INSERT_ATTACHMENT),
                [(sha, ctype, len(data), data) for sha, (ctype, data) in blobs.items()],
            )
        return outcomes
