"""The stores a run writes, as a whole: is anything there, wipe it, finish it."""

from __future__ import annotations

import shutil

from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from lifelong.accounts.models import User
from lifelong.config import Settings
from lifelong.db.models import metadata
from lifelong.learning.catalog import indexing
from lifelong.learning.models import Resource
from lifelong.records import export
from lifelong.records import tables as lrs_tables
from lifelong.records.store import open_store


def populated(settings: Settings, engine: Engine) -> bool:
    """Whether the store holds people, resources or statements already."""
    with engine.connect() as connection:
        for table in (User, Resource):
            if connection.execute(select(func.count()).select_from(table)).scalar_one():
                return True
    lrs = open_store(settings)
    try:
        with lrs.connect() as connection:
            statements = connection.execute(
                select(func.count()).select_from(lrs_tables.statements)
            ).scalar_one()
    finally:
        lrs.dispose()
    return bool(statements)


def wipe(settings: Settings, engine: Engine) -> None:
    """``--force``: empty every operational table, the statement store and the lake."""
    with engine.begin() as connection:
        for table in reversed(metadata.sorted_tables):
            connection.execute(table.delete())
    lrs = open_store(settings)
    try:
        with lrs.begin() as connection:
            for table in reversed(lrs_tables.metadata.sorted_tables):
                connection.execute(table.delete())
    finally:
        lrs.dispose()
    shutil.rmtree(settings.lake_dir, ignore_errors=True)
    (settings.data_dir / "lrs-bulk-checkpoints.json").unlink(missing_ok=True)


def fix_sequences(engine: Engine) -> None:
    """PostgreSQL: move id sequences past the explicit ids the generator wrote."""
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as connection:
        for table in metadata.sorted_tables:
            pk = list(table.primary_key.columns)
            if len(pk) == 1 and pk[0].autoincrement is not False and pk[0].type.python_type is int:
                name = table.name
                connection.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', '{pk[0].name}'), "
                        f"COALESCE((SELECT max({pk[0].name}) FROM {name}), 0) + 1, false) "
                        f"WHERE pg_get_serial_sequence('{name}', '{pk[0].name}') IS NOT NULL"
                    )
                )


def rebuild_search(settings: Settings, engine: Engine) -> int:
    """Index every generated resource so catalogue search works at once."""
    with Session(engine) as session:
        return indexing.rebuild(settings, session)


def export_lake(settings: Settings) -> int:
    """Bring the lakehouse's raw statements up to date (contract C1)."""
    lrs = open_store(settings)
    try:
        return export.export_once(settings, lrs)
    finally:
        lrs.dispose()
