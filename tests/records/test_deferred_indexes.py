"""Bulk loads may defer the filter indexes: they come back, whatever happens meanwhile."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import Engine, inspect

from lifelong.config import Settings
from lifelong.records import bulk
from lifelong.records.store import (
    WRITER_INDEXES,
    deferred_indexes,
    ensure_indexes,
    filter_indexes,
    open_store,
)
from tests.records.conftest import statement


def _indexes(engine: Engine) -> set[str]:
    """Every index on the statement tables, by name."""
    inspector = inspect(engine)
    names: set[str] = set()
    for table in ("lrs_statements", "lrs_statement_agents", "lrs_statement_activities"):
        names |= {str(index["name"]) for index in inspector.get_indexes(table)}
    return names


def _expected() -> set[str]:
    return {str(index.name) for _, index in filter_indexes()}


def test_a_deferring_session_stores_and_rebuilds_the_indexes(settings: Settings) -> None:
    """Inside the session the filter indexes are gone (the writer's own stay); after
    it they are all back and a filtered GET is answered through them."""
    engine = open_store(settings)
    try:
        assert _expected() <= _indexes(engine)
        client = bulk.bulk_client(settings, "lifelong-platform")
        items = [(f"s{i}", {**statement(), "id": str(uuid.uuid4())}) for i in range(50)]
        validated = bulk.validate_chunk(items, client, "1.0.3", bulk.branch_extension(settings))
        with bulk.bulk_session(
            settings, client_name="lifelong-platform", defer_indexes=True
        ) as session:
            assert not (_expected() & _indexes(engine))
            # ix_lrs_statements_id is SQLite's (PostgreSQL finds ids by its unique index)
            sqlite_only = {"ix_lrs_statements_id"} if engine.dialect.name != "sqlite" else set()
            assert _indexes(engine) >= WRITER_INDEXES - sqlite_only
            assert session.store(validated).stored == 50
        assert _expected() <= _indexes(engine)
        if engine.dialect.name == "sqlite":  # the planner uses the rebuilt index again
            with engine.connect() as connection:
                plan = connection.exec_driver_sql(
                    "EXPLAIN QUERY PLAN SELECT seq FROM lrs_statements "
                    "WHERE seg = 0 AND actor_key = 1"
                ).all()
            assert "ix_lrs_statements_actor" in " ".join(str(row) for row in plan)
    finally:
        engine.dispose()


def test_indexes_come_back_after_an_error_or_a_killed_load(settings: Settings) -> None:
    """An exception inside the deferral rebuilds them on the way out; a process killed
    inside it leaves them missing until the next open_store builds them."""
    engine = open_store(settings)
    try:
        with pytest.raises(RuntimeError), deferred_indexes(engine):
            raise RuntimeError("load failed")
        assert _expected() <= _indexes(engine)
        # What a killed load leaves behind: the drop happened, the rebuild never did.
        with engine.begin() as connection:
            for _, index in filter_indexes():
                index.drop(connection)
        assert not (_expected() & _indexes(engine))
    finally:
        engine.dispose()
    reopened = open_store(settings)
    try:
        assert _expected() <= _indexes(reopened)
        assert ensure_indexes(reopened) == []  # nothing left to build
    finally:
        reopened.dispose()
