"""Where a statement id is stored, on SQLite: the store's id index in two cheap parts.

A unique B-tree over every statement id is what a repeated id needs, but clients send
random (version 4) ids, and each random id landed on a random leaf page of that index:
a commit of 800 statements rewrote hundreds of its 16 KiB pages, most of the bytes the
commit wrote, and more as the store grew. So on SQLite (lrs_0006) an id is kept:

- in ``ix_lrs_statements_id (seg, id_hi, id_lo)``: led by the segment like the filter
  indexes, so a commit's entries fall on a few pages of the newest segment;
- once its segment is one of ``MERGE_SEGMENTS`` sealed ones not yet merged, in
  ``lrs_statement_ids``, keyed by the id alone: the writer inserts whole segments there
  in one sorted pass (``merge``), and ``lrs_id_merge.merged_seq`` says up to which
  ``seq`` every id is in it.

A reader looks an id up in the merged table and in the segment index of each segment
after ``merged_seq`` (``statement_seq``). The writer, which checks every id of every
batch, keeps those unmerged ids in memory (``IdDirectory``), brought up to date under
the write lock before each write, so its look-ups are a dict probe or one probe of the
merged table. PostgreSQL keeps a unique index on the id (its engine, its trade-offs).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from lifelong.records.records import id_halves
from lifelong.records.tables import SEGMENT_BITS

MERGE_SEGMENTS = 32  # sealed segments (262 144 statements) gathered before a merge
CHUNK = 500  # ids a look-up query carries
_MASK = (1 << 64) - 1


def id_number(statement_id: str) -> int:
    """A validated UUID text (any case) as its 128-bit number."""
    return int(statement_id.replace("-", ""), 16)


def halves_number(high: int, low: int) -> int:
    """The 128-bit number of an id from its stored signed halves (``id_halves``)."""
    return ((high & _MASK) << 64) | (low & _MASK)


def _merged_seq(cursor: Any) -> int:
    cursor.execute("SELECT merged_seq FROM lrs_id_merge")
    row = cursor.fetchone()
    return int(row[0]) if row else 0


def last_seq(cursor: Any) -> int:
    """The newest stored ``seq`` (0 for an empty store)."""
    cursor.execute("SELECT max(seq) FROM lrs_statements")
    return int(cursor.fetchone()[0] or 0)


def statement_seq(cursor: Any, statement_id: str) -> int | None:
    """The ``seq`` of a stored statement id, for a reader (no lock, no transaction).

    ``merged_seq`` is read first: a merge only adds ids to the merged table and then
    advances it, and the segment index keeps every id, so an id stored by then is either
    merged already or in a segment from ``merged_seq``'s on.
    """
    merged = _merged_seq(cursor)
    high, low = id_halves(statement_id)
    cursor.execute("SELECT seq FROM lrs_statement_ids WHERE id_hi = ? AND id_lo = ?", (high, low))
    row = cursor.fetchone()
    if row is not None:
        return int(row[0])
    last = last_seq(cursor)
    segments = list(range(merged >> SEGMENT_BITS, (last >> SEGMENT_BITS) + 1))
    for start in range(0, len(segments), CHUNK):
        part = segments[start : start + CHUNK]
        cursor.execute(
            "SELECT seq FROM lrs_statements INDEXED BY ix_lrs_statements_id "
            f"WHERE seg IN ({','.join('?' * len(part))}) AND id_hi = ? AND id_lo = ?",
            (*part, high, low),
        )
        row = cursor.fetchone()
        if row is not None:
            return int(row[0])
    return None


class IdDirectory:
    """The writer's view of the id index: unmerged ids in memory, merged ones on disk.

    Valid only inside a write transaction after ``catch_up``; ``commit`` adds what the
    transaction stored once it is durable, ``forget`` drops everything after a failed
    one (the next ``catch_up`` reloads).
    """

    def __init__(self) -> None:
        """Start empty: the first ``catch_up`` loads the unmerged ids."""
        self._recent: dict[int, int] = {}  # id number -> seq, for seq > merged_seq
        self._seen_seq = -1  # the last seq whose id is in _recent (-1: nothing loaded)
        self._merged_seq = 0

    def catch_up(self, cursor: Any, last_seq: int) -> None:
        """Mirror the store as of this write transaction (other writers may have written
        or merged since this one's last write)."""
        merged = _merged_seq(cursor)
        if self._seen_seq < 0 or merged < self._merged_seq or last_seq < self._seen_seq:
            self._recent, self._seen_seq, self._merged_seq = {}, merged, merged
        elif merged > self._merged_seq:
            self._drop_through(merged)
        if last_seq > self._seen_seq:
            cursor.execute(
                "SELECT id_hi, id_lo, seq FROM lrs_statements INDEXED BY ix_lrs_statements_id "
                "WHERE seg >= ? AND seq > ?",
                (self._seen_seq >> SEGMENT_BITS, self._seen_seq),
            )
            for high, low, seq in cursor.fetchall():
                self._recent[halves_number(high, low)] = seq
            self._seen_seq = last_seq

    def seqs(
        self, cursor: Any, ids: Sequence[str], staged: Mapping[int, int] | None = None
    ) -> dict[str, int]:
        """The ``seq`` of each of ``ids`` that is stored (or in ``staged``: id number ->
        seq of this transaction's own new statements)."""
        found: dict[str, int] = {}
        misses: list[str] = []
        for statement_id in ids:
            number = id_number(statement_id)
            seq = self._recent.get(number)
            if seq is None and staged:
                seq = staged.get(number)
            if seq is None:
                misses.append(statement_id)
            else:
                found[statement_id] = seq
        for start in range(0, len(misses), CHUNK):
            part = misses[start : start + CHUNK]
            halves = [id_halves(statement_id) for statement_id in part]
            cursor.execute(
                "SELECT v.column1, v.column2, i.seq FROM (VALUES "
                + ",".join(["(?, ?)"] * len(part))
                + ") AS v CROSS JOIN lrs_statement_ids i "
                "WHERE i.id_hi = v.column1 AND i.id_lo = v.column2",
                [half for pair in halves for half in pair],
            )
            by_halves = dict(zip(halves, part, strict=True))
            for high, low, seq in cursor.fetchall():
                found[by_halves[(high, low)]] = seq
        return found

    def commit(self, staged: Mapping[int, int], last_seq: int) -> None:
        """Record a durable write's new ids (``staged``) and its last ``seq``."""
        self._recent.update(staged)
        self._seen_seq = last_seq

    def forget(self) -> None:
        """Drop the mirror (a write failed: the next ``catch_up`` reloads it)."""
        self._recent, self._seen_seq = {}, -1

    def merge_due(self) -> bool:
        """Whether ``MERGE_SEGMENTS`` sealed segments wait to be merged (as last seen)."""
        if self._seen_seq < 0:
            return False
        sealed_through = ((self._seen_seq >> SEGMENT_BITS) << SEGMENT_BITS) - 1
        return sealed_through - self._merged_seq >= MERGE_SEGMENTS << SEGMENT_BITS

    def merge(self, cursor: Any) -> int:
        """Move the ids of every sealed unmerged segment into the merged table, in one
        sorted insert (inside the caller's write transaction, after ``catch_up``); the
        ``merged_seq`` it reaches, to pass to ``merged`` once committed."""
        sealed_through = ((self._seen_seq >> SEGMENT_BITS) << SEGMENT_BITS) - 1
        if sealed_through <= self._merged_seq:
            return self._merged_seq
        cursor.execute(
            "INSERT INTO lrs_statement_ids (id_hi, id_lo, seq) "
            "SELECT id_hi, id_lo, seq FROM lrs_statements INDEXED BY ix_lrs_statements_id "
            "WHERE seg >= ? AND seg <= ? AND seq > ? AND seq <= ? ORDER BY id_hi, id_lo",
            (
                self._merged_seq >> SEGMENT_BITS,
                sealed_through >> SEGMENT_BITS,
                self._merged_seq,
                sealed_through,
            ),
        )
        cursor.execute("UPDATE lrs_id_merge SET merged_seq = ?", (sealed_through,))
        return sealed_through

    def merged(self, merged_seq: int) -> None:
        """A merge up to ``merged_seq`` is durable: those ids leave memory."""
        self._drop_through(merged_seq)

    def _drop_through(self, merged_seq: int) -> None:
        self._recent = {n: seq for n, seq in self._recent.items() if seq > merged_seq}
        self._merged_seq = merged_seq
        self._seen_seq = max(self._seen_seq, merged_seq)
