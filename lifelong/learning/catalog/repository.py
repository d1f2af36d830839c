"""SQL of the catalogue: resources, subjects, providers, programmes and the matrix."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from lifelong.learning.models import (
    Programme,
    Provider,
    Resource,
    ResourceStatus,
    Subject,
)


def resource(session: Session, resource_id: int) -> Resource | None:
    """One resource with its provider, subject and prerequisites."""
    return session.scalar(
        select(Resource)
        .where(Resource.id == resource_id)
        .options(selectinload(Resource.prerequisites))
    )


def resources_by_ids(session: Session, ids: Sequence[int]) -> dict[int, Resource]:
    """Resources keyed by id (missing ids are simply absent)."""
    if not ids:
        return {}
    rows = session.scalars(select(Resource).where(Resource.id.in_(ids))).unique()
    return {row.id: row for row in rows}


def resource_by_external_id(
    session: Session, provider_id: int, external_id: str
) -> Resource | None:
    """The resource a provider knows by ``external_id``."""
    return session.scalar(
        select(Resource)
        .where(Resource.provider_id == provider_id, Resource.external_id == external_id)
        .options(selectinload(Resource.prerequisites))
    )


def iter_resources(
    session: Session, *, updated_after: datetime | None = None, batch: int = 2000
) -> Iterator[Resource]:
    """Every resource (optionally only those updated after a time), in id order, batched."""
    last_id = 0
    while True:
        query = select(Resource).where(Resource.id > last_id).order_by(Resource.id).limit(batch)
        if updated_after is not None:
            query = query.where(Resource.updated_at > updated_after)
        rows = list(session.scalars(query).unique())
        if not rows:
            return
        yield from rows
        last_id = rows[-1].id
        session.expunge_all()


def resource_stamp(session: Session) -> tuple[int, datetime | None]:
    """Published resources and the latest update time of any resource."""
    published = session.scalar(
        select(func.count(Resource.id)).where(Resource.status == ResourceStatus.published)
    )
    latest = session.scalar(select(func.max(Resource.updated_at)))
    return int(published or 0), latest


def subjects(session: Session) -> list[Subject]:
    """The whole subject tree, ordered by code."""
    return list(session.scalars(select(Subject).order_by(Subject.code)))


def subject_by_code(session: Session, code: str) -> Subject | None:
    """A subject by its code."""
    return session.scalar(select(Subject).where(Subject.code == code))


def subject_names(session: Session, codes: Sequence[str]) -> dict[str, dict[str, str]]:
    """The names (``zh_CN``, ``en``) of the subjects among ``codes``, by code."""
    if not codes:
        return {}
    rows = session.execute(
        select(Subject.code, Subject.name_zh, Subject.name_en).where(Subject.code.in_(list(codes)))
    )
    return {code: {"zh_CN": zh, "en": en} for code, zh, en in rows}


def providers(session: Session) -> list[Provider]:
    """Every provider, ordered by code."""
    return list(session.scalars(select(Provider).order_by(Provider.code)))


def provider_by_code(session: Session, code: str) -> Provider | None:
    """A provider by its code."""
    return session.scalar(select(Provider).where(Provider.code == code))


def matrix_counts(session: Session) -> list[tuple[str, str, str, int]]:
    """Published resources counted by type x level x format."""
    rows = session.execute(
        select(Resource.type, Resource.level, Resource.format, func.count(Resource.id))
        .where(Resource.status == ResourceStatus.published)
        .group_by(Resource.type, Resource.level, Resource.format)
    )
    return [(t.value, lv.value, f.value, int(n)) for t, lv, f, n in rows]


def subject_counts(session: Session) -> dict[int, int]:
    """Published resources per (leaf) subject id."""
    rows = session.execute(
        select(Resource.subject_id, func.count(Resource.id))
        .where(Resource.status == ResourceStatus.published)
        .group_by(Resource.subject_id)
    )
    return {int(subject_id): int(n) for subject_id, n in rows}


def programmes(session: Session, *, limit: int = 100, offset: int = 0) -> list[Programme]:
    """Programmes ordered by code."""
    return list(
        session.scalars(
            select(Programme)
            .order_by(Programme.code)
            .limit(limit)
            .offset(offset)
            .options(selectinload(Programme.items))
        ).unique()
    )


def programme(session: Session, programme_id: int) -> Programme | None:
    """One programme with its ordered items."""
    return session.scalar(
        select(Programme).where(Programme.id == programme_id).options(selectinload(Programme.items))
    )


def programme_by_code(session: Session, code: str) -> Programme | None:
    """A programme by its code."""
    return session.scalar(select(Programme).where(Programme.code == code))


def resources_by_author(
    session: Session, *, created_by_id: int | None, branch_id: int | None, limit: int = 200
) -> list[Resource]:
    """Resources a staff member may edit: their own, their branch's, or all (both None)."""
    query = select(Resource).order_by(Resource.updated_at.desc()).limit(limit)
    if created_by_id is not None:
        query = query.where(Resource.created_by_id == created_by_id)
    if branch_id is not None:
        query = query.where(Resource.branch_id == branch_id)
    return list(session.scalars(query).unique())


def resources_by_external_ids(
    session: Session, provider_id: int, external_ids: Sequence[str]
) -> dict[str, Resource]:
    """A provider's resources keyed by external id (chunked for large imports)."""
    found: dict[str, Resource] = {}
    unique = list(dict.fromkeys(external_ids))
    for start in range(0, len(unique), 500):
        chunk = unique[start : start + 500]
        rows = session.scalars(
            select(Resource)
            .where(Resource.provider_id == provider_id, Resource.external_id.in_(chunk))
            .options(selectinload(Resource.prerequisites))
        ).unique()
        found.update({row.external_id: row for row in rows})
    return found
