"""The transform's run log and state: a small SQLite file ``lake/_runs.db``.

``transform_runs`` and ``model_runs`` are what a catalog reads (model, started, finished,
rows, audit results); ``model_state`` keeps each model's watermark (the last statement
``seq`` it has processed) and the input fingerprint of its last build. State is written
after the Delta commit: a crash in between only makes the next run redo that window,
which replaces the same partitions / keys again (no duplicates).
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lifelong.config import Settings

SCHEMA = """
CREATE TABLE IF NOT EXISTS transform_runs (
  run_id TEXT PRIMARY KEY, started TEXT NOT NULL, finished TEXT, status TEXT NOT NULL,
  full_refresh INTEGER NOT NULL, selected TEXT
);
CREATE TABLE IF NOT EXISTS model_runs (
  run_id TEXT NOT NULL, model TEXT NOT NULL, started TEXT NOT NULL, finished TEXT NOT NULL,
  status TEXT NOT NULL, rows INTEGER NOT NULL, window_start TEXT, window_end TEXT,
  audits TEXT NOT NULL, error TEXT, PRIMARY KEY (run_id, model)
);
CREATE TABLE IF NOT EXISTS model_state (
  model TEXT PRIMARY KEY, watermark INTEGER NOT NULL, fingerprint TEXT NOT NULL,
  updated TEXT NOT NULL
);
"""


def runlog_path(settings: Settings) -> Path:
    """Where the run log lives."""
    return settings.lake_dir / "_runs.db"


def now() -> str:
    """The current UTC time as RFC 3339."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class RunLog:
    """Read and write the run log (one short transaction per call)."""

    def __init__(self, settings: Settings) -> None:
        self.path = runlog_path(settings)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as connection, connection:
            connection.executescript(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, timeout=30)
        connection.execute("PRAGMA journal_mode=WAL")
        return connection

    def start_run(self, run_id: str, *, full_refresh: bool, selected: str | None) -> None:
        with closing(self._connect()) as connection, connection:
            connection.execute(
                "INSERT INTO transform_runs VALUES (?, ?, NULL, 'running', ?, ?)",
                (run_id, now(), int(full_refresh), selected),
            )

    def finish_run(self, run_id: str, status: str) -> None:
        with closing(self._connect()) as connection, connection:
            connection.execute(
                "UPDATE transform_runs SET finished = ?, status = ? WHERE run_id = ?",
                (now(), status, run_id),
            )

    def record_model(
        self,
        run_id: str,
        model: str,
        *,
        started: str,
        status: str,
        rows: int,
        window: tuple[str, str] | None,
        audits: list[dict[str, Any]],
        error: str | None,
    ) -> None:
        with closing(self._connect()) as connection, connection:
            connection.execute(
                "INSERT OR REPLACE INTO model_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    run_id,
                    model,
                    started,
                    now(),
                    status,
                    rows,
                    window[0] if window else None,
                    window[1] if window else None,
                    json.dumps(audits, default=str, ensure_ascii=False),
                    error,
                ),
            )

    def state(self, model: str) -> tuple[int, str] | None:
        """(watermark seq, fingerprint) of the model's last successful build."""
        with closing(self._connect()) as connection:
            row = connection.execute(
                "SELECT watermark, fingerprint FROM model_state WHERE model = ?", (model,)
            ).fetchone()
        return (int(row[0]), str(row[1])) if row else None

    def set_state(self, model: str, *, watermark: int, fingerprint: str) -> None:
        with closing(self._connect()) as connection, connection:
            connection.execute(
                "INSERT OR REPLACE INTO model_state VALUES (?, ?, ?, ?)",
                (model, watermark, fingerprint, now()),
            )

    def clear_state(self) -> None:
        """Forget every watermark (full refresh)."""
        with closing(self._connect()) as connection, connection:
            connection.execute("DELETE FROM model_state")

    def model_runs(self, run_id: str) -> list[dict[str, Any]]:
        """The models of one run, in the order they ran."""
        with closing(self._connect()) as connection:
            connection.row_factory = sqlite3.Row
            rows = connection.execute(
                "SELECT * FROM model_runs WHERE run_id = ? ORDER BY started", (run_id,)
            ).fetchall()
        return [{**dict(row), "audits": json.loads(row["audits"])} for row in rows]
