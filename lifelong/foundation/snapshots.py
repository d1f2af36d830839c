"""Operational snapshots (contract C3): platform tables -> ``lake/raw/platform_<table>``.

The foundation reads the operational database and never writes it. Tables with an
``updated_at`` column are landed incrementally (rows changed since the newest
``updated_at`` already in the lake, upserted by id); the others are compared with the last
snapshot and rewritten only when they changed, so an idle platform adds no Delta versions
and the models reading them are not rebuilt. No password hashes, user names, display
names, e-mail addresses or resource bodies ever reach the lake.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import Boolean, Column, DateTime, Engine, Float, Integer, Numeric, select

import lifelong.learning.models  # noqa: F401  (registers the learning tables)
from lifelong.accounts import models as _accounts  # noqa: F401  (registers the account tables)
from lifelong.config import Settings
from lifelong.db.base import Base
from lifelong.foundation.lake import delta
from lifelong.foundation.lake.paths import table_path

TABLES = (
    "branches",
    "users",
    "learner_profiles",
    "subjects",
    "providers",
    "resources",
    "programmes",
    "programme_items",
    "enrolments",
    "certificates",
)
# Personal or secret columns that stay in the operational store (PIPL / GB/T 35273 data
# minimisation): the lake only needs pseudonymous ids.
EXCLUDED = {
    "users": {"username", "display_name", "email", "password_hash"},
    "resources": {"description", "content", "tags", "created_by_id", "enrolment_count"},
    "programmes": {"description", "created_by_id"},
    "enrolments": {"position_seconds"},
}
KEYS = {"programme_items": ("programme_id", "resource_id"), "learner_profiles": ("user_id",)}


@dataclass
class SnapshotOutcome:
    """What one table's snapshot did."""

    table: str
    mode: str  # incremental | full | unchanged
    rows: int


def _arrow_type(column: Column[Any]) -> pa.DataType:
    kind = column.type
    if isinstance(kind, Boolean):
        return pa.bool_()
    if isinstance(kind, Integer):
        return pa.int64()
    if isinstance(kind, Numeric | Float):
        return pa.float64()
    if isinstance(kind, DateTime) or getattr(kind, "impl", None).__class__ is DateTime:
        return pa.timestamp("us", tz="UTC")
    return pa.string()


def _value(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


def _columns(table_name: str) -> list[Column[Any]]:
    table = Base.metadata.tables[table_name]
    hidden = EXCLUDED.get(table_name, set())
    return [c for c in table.columns if c.name not in hidden]


def _schema(columns: list[Column[Any]]) -> pa.Schema:
    return pa.schema([(c.name, _arrow_type(c)) for c in columns])


def _fetch(engine: Engine, table_name: str, since: datetime | None) -> pa.Table:
    columns = _columns(table_name)
    query = select(*columns)
    if since is not None:
        query = query.where(Base.metadata.tables[table_name].c.updated_at > since)
    key = KEYS.get(table_name, ("id",))
    query = query.order_by(*(Base.metadata.tables[table_name].c[k] for k in key))
    with engine.connect() as connection:
        rows = connection.execute(query).all()
    data = {c.name: [_value(row[i]) for row in rows] for i, c in enumerate(columns)}
    return pa.Table.from_pydict(data, schema=_schema(columns))


def snapshot_table(settings: Settings, engine: Engine, table_name: str) -> SnapshotOutcome:
    """Land one operational table in ``lake/raw/platform_<table>``."""
    path = table_path(settings, "raw", f"platform_{table_name}")
    exists = delta.latest_version(path) is not None
    key = KEYS.get(table_name, ("id",))
    incremental = "updated_at" in Base.metadata.tables[table_name].c
    if exists and incremental:
        newest = pc.max(delta.read(path, ["updated_at"]).column("updated_at")).as_py()
        changed = _fetch(engine, table_name, newest)
        if newest is not None and changed.num_rows:
            delta.upsert(path, changed, key[0])
            return SnapshotOutcome(table_name, "incremental", changed.num_rows)
        if newest is not None:
            return SnapshotOutcome(table_name, "unchanged", 0)
    current = _fetch(engine, table_name, None)
    if exists:
        previous = delta.read(path)
        if previous.schema.names == current.schema.names:
            order = [(k, "ascending") for k in key]
            if previous.sort_by(order).cast(current.schema).equals(current.sort_by(order)):
                return SnapshotOutcome(table_name, "unchanged", 0)
    delta.overwrite(path, current)
    return SnapshotOutcome(table_name, "full", current.num_rows)


def snapshot_all(settings: Settings, engine: Engine) -> list[SnapshotOutcome]:
    """Land every C3 table."""
    return [snapshot_table(settings, engine, name) for name in TABLES]
