"""The per-node full-text index of the catalogue: one SQLite file with FTS5.

Text is segmented/stemmed by :mod:`analysis` before it reaches SQLite and stored as
space-separated tokens in an FTS5 table with the ``unicode61`` tokenizer, so the index
behaves the same whichever database holds the operational data. Facet columns live next
to the text so that a search, its facet counts and its sorting never touch the
operational store. Writers use one transaction per batch (a crash leaves the previous
state), readers see a consistent snapshot (WAL).
"""

from __future__ import annotations

import sqlite3
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from lifelong.learning.catalog import analysis, spelling

SCHEMA_VERSION = "1"  # bump when analysis or layout changes: ensure_index then rebuilds
# BM25 field weights: a title match counts most, then tags, then the description.
FIELD_WEIGHTS = {"title": 10.0, "description": 1.0, "tags": 4.0}
FACETS = ("type", "level", "format", "subject", "provider", "language", "credit_bearing")
SORTS = {
    "relevance": "score, popularity DESC, id",
    "popularity": "popularity DESC, id",
    "newest": "published DESC, id DESC",
}

HIT_COLUMNS = ", ".join(
    f"d.{c}" for c in ("id", *FACETS, "subject_path", "popularity", "published")
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs (
    id INTEGER PRIMARY KEY, type TEXT, level TEXT, format TEXT, subject TEXT,
    subject_path TEXT, provider TEXT, language TEXT, credit_bearing INTEGER,
    popularity INTEGER, published TEXT, updated TEXT,
    title TEXT, description TEXT, tags TEXT
);
CREATE INDEX IF NOT EXISTS docs_popularity ON docs (popularity);
CREATE INDEX IF NOT EXISTS docs_published ON docs (published);
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5 (
    title, description, tags, tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TABLE IF NOT EXISTS changes (generation INTEGER NOT NULL, id INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS changes_generation ON changes (generation);
CREATE TABLE IF NOT EXISTS vocab (word TEXT PRIMARY KEY, df INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS deletes (
    variant TEXT NOT NULL, word TEXT NOT NULL, PRIMARY KEY (variant, word)
) WITHOUT ROWID;
"""

DOC_COLUMNS = [
    "id",
    "type",
    "level",
    "format",
    "subject",
    "subject_path",
    "provider",
    "language",
    "credit_bearing",
    "popularity",
    "published",
    "updated",
    "title",
    "description",
    "tags",
]


@dataclass(frozen=True)
class IndexDoc:
    """What the index keeps of one published resource."""

    id: int
    type: str
    level: str
    format: str
    subject: str
    subject_path: str  # "|ROOT|CHILD|LEAF|": filtering by a subject includes its subtree
    provider: str
    language: str
    credit_bearing: int
    popularity: int
    published: str
    updated: str
    title: str
    description: str
    tags: str  # space-separated


def _words(doc: IndexDoc | sqlite3.Row) -> set[str]:
    text = f"{doc['title'] if isinstance(doc, sqlite3.Row) else doc.title} "
    if isinstance(doc, sqlite3.Row):
        text += f"{doc['description']} {doc['tags']}"
    else:
        text += f"{doc.description} {doc.tags}"
    return {w for w in analysis.latin_words(text) if len(w) >= 3 and not w.isdigit()}


class CatalogueIndex:
    """Read and write the index file at ``path``."""

    def __init__(self, path: Path):
        """Remember where the index lives (nothing is opened yet)."""
        self.path = path
        self._ready = False

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """A connection with the schema in place; closed on exit."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        missing = not self.path.exists()
        connection = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        connection.row_factory = sqlite3.Row
        try:
            if not self._ready or missing:
                connection.execute("PRAGMA journal_mode=WAL")
                connection.executescript(SCHEMA)
                self._ready = True
            connection.execute("PRAGMA synchronous=NORMAL")
            yield connection
        finally:
            connection.close()

    # -- metadata -----------------------------------------------------------------------

    def meta(self) -> dict[str, str]:
        """Schema version, generation, watermark and document count."""
        with self.connect() as connection:
            values = {r["key"]: r["value"] for r in connection.execute("SELECT * FROM meta")}
            values["documents"] = str(connection.execute("SELECT count(*) FROM docs").fetchone()[0])
        return values

    def generation(self) -> tuple[int, str]:
        """The index's generation (bumped by every write) and its epoch (new per rebuild)."""
        with self.connect() as connection:
            rows = dict(
                connection.execute(
                    "SELECT key, value FROM meta WHERE key IN ('generation', 'epoch')"
                ).fetchall()
            )
        return int(rows.get("generation", 0)), str(rows.get("epoch", ""))

    def changed_since(self, generation: int) -> list[int]:
        """Ids of documents written or removed after ``generation``."""
        with self.connect() as connection:
            return [
                r[0]
                for r in connection.execute(
                    "SELECT DISTINCT id FROM changes WHERE generation > ?", (generation,)
                )
            ]

    def read(self, ids: Sequence[int] | None = None) -> Iterator[sqlite3.Row]:
        """Documents with their indexed token text (all, or the given ids that exist)."""
        columns = ", ".join(
            f"d.{c}" for c in DOC_COLUMNS if c not in ("title", "description", "tags")
        )
        query = (
            f"SELECT {columns}, f.title AS title_tokens, f.description AS description_tokens, "
            "f.tags AS tags_tokens FROM docs d JOIN fts f ON f.rowid = d.id"
        )
        with self.connect() as connection:
            if ids is None:
                yield from connection.execute(query)
                return
            wanted = list(ids)
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                marks = ", ".join("?" * len(chunk))
                yield from connection.execute(f"{query} WHERE d.id IN ({marks})", chunk)

    def match_ids(self, match: str) -> set[int]:
        """Ids FTS5 itself matches for a MATCH expression (a cross-check of the evaluator)."""
        with self.connect() as connection:
            return {
                r[0]
                for r in connection.execute("SELECT rowid FROM fts WHERE fts MATCH ?", (match,))
            }

    @staticmethod
    def _bump(connection: sqlite3.Connection, watermark: str | None) -> int:
        row = connection.execute(
            "INSERT INTO meta VALUES ('generation', '1') ON CONFLICT (key) "
            "DO UPDATE SET value = CAST(value AS INTEGER) + 1 RETURNING value"
        ).fetchone()
        connection.execute(
            "INSERT INTO meta VALUES ('schema', ?) ON CONFLICT (key) DO UPDATE SET value = ?",
            (SCHEMA_VERSION, SCHEMA_VERSION),
        )
        if watermark:
            connection.execute(
                "INSERT INTO meta VALUES ('watermark', ?) ON CONFLICT (key) "
                "DO UPDATE SET value = max(value, excluded.value)",
                (watermark,),
            )
        return int(row[0])

    # -- writing ------------------------------------------------------------------------

    @staticmethod
    def _insert(connection: sqlite3.Connection, doc: IndexDoc) -> None:
        connection.execute(
            f"INSERT INTO docs VALUES ({', '.join('?' * len(DOC_COLUMNS))})",
            [getattr(doc, column) for column in DOC_COLUMNS],
        )
        connection.execute(
            "INSERT INTO fts (rowid, title, description, tags) VALUES (?, ?, ?, ?)",
            (
                doc.id,
                " ".join(analysis.index_tokens(doc.title)),
                " ".join(analysis.index_tokens(doc.description)),
                " ".join(analysis.index_tokens(doc.tags)),
            ),
        )

    @staticmethod
    def _add_words(connection: sqlite3.Connection, counts: Counter[str]) -> None:
        new_words = []
        for word, count in counts.items():
            row = connection.execute(
                "INSERT INTO vocab VALUES (?, ?) ON CONFLICT (word) DO UPDATE SET df = df + ? "
                "RETURNING df",
                (word, count, count),
            ).fetchone()
            if row[0] == count:
                new_words.append(word)
        connection.executemany(
            "INSERT OR IGNORE INTO deletes VALUES (?, ?)",
            (
                (variant, word)
                for word in new_words
                for variant in spelling.deletions(word, spelling.max_distance(word))
                if variant != word
            ),
        )

    def _remove(self, connection: sqlite3.Connection, ids: Iterable[int]) -> Counter[str]:
        gone: Counter[str] = Counter()
        for doc_id in ids:
            old = connection.execute("SELECT * FROM docs WHERE id = ?", (doc_id,)).fetchone()
            if old is None:
                continue
            gone.update(_words(old))
            connection.execute("DELETE FROM docs WHERE id = ?", (doc_id,))
            connection.execute("DELETE FROM fts WHERE rowid = ?", (doc_id,))
        for word, count in gone.items():
            connection.execute("UPDATE vocab SET df = df - ? WHERE word = ?", (count, word))
        connection.execute("DELETE FROM vocab WHERE df <= 0")
        return gone

    def apply(
        self,
        upserts: Sequence[IndexDoc],
        removals: Sequence[int] = (),
        watermark: str | None = None,
    ) -> None:
        """Replace ``upserts``, drop ``removals``, in one transaction."""
        with self.connect() as connection:
            connection.execute("BEGIN IMMEDIATE")
            try:
                self._remove(connection, [*removals, *(doc.id for doc in upserts)])
                added: Counter[str] = Counter()
                for doc in upserts:
                    self._insert(connection, doc)
                    added.update(_words(doc))
                self._add_words(connection, added)
                generation = self._bump(connection, watermark)
                connection.executemany(
                    "INSERT INTO changes VALUES (?, ?)",
                    [(generation, i) for i in {*removals, *(doc.id for doc in upserts)}],
                )
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise

    def rebuild(self, docs: Iterable[IndexDoc], watermark: str | None) -> int:
        """Replace the whole index in one transaction (readers keep the old one until then)."""
        count = 0
        with self.connect() as connection:
            connection.execute("BEGIN IMMEDIATE")
            try:
                generation = self._bump(connection, None)  # keep counting across rebuilds
                for table in ("docs", "fts", "vocab", "deletes", "meta", "changes"):
                    connection.execute(f"DELETE FROM {table}")
                words: Counter[str] = Counter()
                for doc in docs:
                    self._insert(connection, doc)
                    words.update(_words(doc))
                    count += 1
                self._add_words(connection, words)
                connection.execute("INSERT INTO meta VALUES ('generation', ?)", (str(generation),))
                connection.execute("INSERT INTO meta VALUES ('epoch', ?)", (uuid.uuid4().hex,))
                self._bump(connection, watermark)
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise
            connection.execute("INSERT INTO fts (fts) VALUES ('optimize')")
        return count

    # -- reading ------------------------------------------------------------------------

    def corrections(self, word: str, limit: int = 2) -> list[str]:
        """Vocabulary words within the allowed edit distance of ``word``, best first."""
        distance = spelling.max_distance(word, limit)
        if distance == 0:
            return []
        variants = sorted(spelling.deletions(word, distance))
        with self.connect() as connection:
            if connection.execute("SELECT 1 FROM vocab WHERE word = ?", (word,)).fetchone():
                return []
            candidates: set[str] = set()
            for start in range(0, len(variants), 500):
                chunk = variants[start : start + 500]
                marks = ", ".join("?" * len(chunk))
                candidates.update(
                    r[0]
                    for r in connection.execute(
                        f"SELECT word FROM deletes WHERE variant IN ({marks}) "
                        f"UNION SELECT word FROM vocab WHERE word IN ({marks})",
                        [*chunk, *chunk],
                    )
                )
            scored = []
            for candidate in candidates:
                d = spelling.edit_distance(word, candidate)
                if d <= distance:
                    df = connection.execute(
                        "SELECT df FROM vocab WHERE word = ?", (candidate,)
                    ).fetchone()
                    scored.append((d, -(df[0] if df else 0), candidate))
        scored.sort()
        if not scored:
            return []
        best = scored[0][0]
        return [candidate for d, _, candidate in scored if d == best][:3]
