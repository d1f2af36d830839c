"""A generated tiny university shared by the read-only tests of a module."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from lifelong.config import Settings
from lifelong.db.engine import make_engine
from lifelong.records.store import open_store
from lifelong.synth.service import GenerateReport, generate

AS_OF = "2026-11-30"
# Tables whose rows must be identical between two runs of one seed (password hashes
# are salted per run and left out; run bookkeeping holds wall-clock times).
COMPARED = {
    "branches": "id",
    "subjects": "id",
    "providers": "id",
    "resources": "id",
    "programmes": "id",
    "learner_profiles": "user_id",
    "enrolments": "registration",
    "certificates": "id",
}


def tiny_settings(root: Path) -> Settings:
    """Settings on their own data directory (SQLite operational store and LRS)."""
    return Settings(data_dir=root, secret_key="test-secret-key")


def make_tiny(root: Path, seed: int = 7, **kwargs: Any) -> tuple[Settings, GenerateReport]:
    """Generate the tiny university into ``root``."""
    settings = tiny_settings(root)
    report = generate(settings, scale="tiny", seed=seed, as_of=AS_OF, progress=False, **kwargs)
    return settings, report


def snapshot(settings: Settings) -> dict[str, Any]:
    """Everything a user could notice about a run: rows, users and statement ids."""
    engine = make_engine(settings.resolved_database_url)
    out: dict[str, Any] = {}
    try:
        with engine.connect() as connection:
            for table, key in COMPARED.items():
                rows = connection.execute(text(f"SELECT * FROM {table} ORDER BY {key}"))
                out[table] = [tuple(row) for row in rows]
            users = connection.execute(
                text("SELECT id, username, display_name, role, branch_id FROM users ORDER BY id")
            )
            out["users"] = [tuple(row) for row in users]
    finally:
        engine.dispose()
    lrs = open_store(settings)
    try:
        with lrs.connect() as connection:
            out["statements"] = [
                tuple(row)
                for row in connection.execute(
                    text(
                        "SELECT statement_id, timestamp, verb_id, actor_ifi FROM lrs_statements "
                        "ORDER BY statement_id"
                    )
                )
            ]
    finally:
        lrs.dispose()
    return out


@pytest.fixture(scope="session")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, GenerateReport]:
    """One tiny university (seed 7), generated once per test session."""
    return make_tiny(tmp_path_factory.mktemp("tiny") / "data")


@pytest.fixture(scope="session")
def tiny_snapshot(tiny: tuple[Settings, GenerateReport]) -> dict[str, Any]:
    """The rows and statement ids of the shared tiny university."""
    return snapshot(tiny[0])


def count(settings: Settings, sql: str) -> int:
    """A scalar from the operational store."""
    engine = make_engine(settings.resolved_database_url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(text(sql)).scalar_one())
    finally:
        engine.dispose()


__all__ = ["AS_OF", "count", "make_tiny", "select", "snapshot", "tiny_settings"]
