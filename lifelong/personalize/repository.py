"""SQL of the recommender. Every query only reads the platform's operational tables."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from lifelong.accounts.models import LearnerProfile, Role, User
from lifelong.learning.models import (
    Enrolment,
    EnrolmentStatus,
    Programme,
    ProgrammeItem,
    Resource,
    ResourceStatus,
    Subject,
)
from lifelong.personalize.content import ResourceFeatures


@dataclass(frozen=True)
class EnrolmentRow:
    """One enrolment as the recommender reads it."""

    user_id: int
    resource_id: int
    status: str
    progress: float
    seconds_spent: int
    enrolled_at: datetime
    last_activity_at: datetime | None


def enrolments(session: Session, *, batch: int = 20_000) -> Iterator[EnrolmentRow]:
    """Every enrolment, streamed in batches."""
    query = select(
        Enrolment.user_id,
        Enrolment.resource_id,
        Enrolment.status,
        Enrolment.progress,
        Enrolment.seconds_spent,
        Enrolment.enrolled_at,
        Enrolment.last_activity_at,
    ).execution_options(yield_per=batch)
    for row in session.execute(query):
        yield EnrolmentRow(
            row[0], row[1], str(row[2].value if hasattr(row[2], "value") else row[2]), *row[3:]
        )


def enrolment_count(session: Session) -> int:
    """How many enrolments there are (for the progress bar)."""
    return int(session.scalar(select(func.count(Enrolment.id))) or 0)


def learner_history(session: Session, user_id: int) -> list[EnrolmentRow]:
    """The learner's enrolments, newest activity first."""
    return [
        row
        for row in (
            EnrolmentRow(
                r.user_id,
                r.resource_id,
                str(r.status.value),
                r.progress,
                r.seconds_spent,
                r.enrolled_at,
                r.last_activity_at,
            )
            for r in session.scalars(select(Enrolment).where(Enrolment.user_id == user_id))
        )
    ]


def resource_features(
    session: Session, *, published_after: datetime | None = None
) -> list[ResourceFeatures]:
    """Content features of published resources (optionally only recently published)."""
    parent = aliased(Subject)
    query = (
        select(
            Resource.id,
            Resource.type,
            Resource.level,
            Resource.format,
            Resource.tags,
            Subject.code,
            parent.code,
            Subject.name_en,
            parent.name_en,
        )
        .join(Subject, Resource.subject_id == Subject.id)
        .outerjoin(parent, Subject.parent_id == parent.id)
        .where(Resource.status == ResourceStatus.published)
        .order_by(Resource.id)
    )
    if published_after is not None:
        query = query.where(Resource.published_at > published_after)
    return [
        ResourceFeatures(
            resource_id=row[0],
            type=row[1].value,
            level=row[2].value,
            format=row[3].value,
            tags=list(row[4] or []),
            subject=row[5],
            discipline=row[6],
            subject_names=[n for n in (row[7], row[8]) if n],
        )
        for row in session.execute(query)
    ]


@dataclass(frozen=True)
class LearnerRow:
    """A learner's segment data."""

    user_id: int
    branch_id: int
    occupation: str | None
    birth_year: int | None
    interests: list[str]


def learners(session: Session) -> Iterator[LearnerRow]:
    """Every learner with their profile fields (profile may be missing)."""
    query = (
        select(
            User.id,
            User.branch_id,
            LearnerProfile.occupation,
            LearnerProfile.birth_year,
            LearnerProfile.interests,
        )
        .outerjoin(LearnerProfile, LearnerProfile.user_id == User.id)
        .where(User.role == Role.learner)
        .execution_options(yield_per=20_000)
    )
    for row in session.execute(query):
        yield LearnerRow(row[0], row[1], row[2], row[3], list(row[4] or []))


def profile(session: Session, user_id: int) -> LearnerProfile | None:
    """The learner's profile, if any."""
    return session.get(LearnerProfile, user_id)


def published(session: Session, resource_ids: Sequence[int]) -> dict[int, Resource]:
    """The published resources among ``resource_ids``."""
    if not resource_ids:
        return {}
    rows = session.scalars(
        select(Resource).where(
            Resource.id.in_(list(resource_ids)), Resource.status == ResourceStatus.published
        )
    )
    return {r.id: r for r in rows}


def resource(session: Session, resource_id: int) -> Resource | None:
    """One resource by id."""
    return session.get(Resource, resource_id)


def branch_popular(
    session: Session, branch_id: int, *, since: datetime, exclude: set[int], limit: int
) -> list[tuple[int, int]]:
    """(resource id, enrolments) most enrolled in the branch since ``since``, published only."""
    query = (
        select(Enrolment.resource_id, func.count(Enrolment.id).label("n"))
        .join(Resource, Resource.id == Enrolment.resource_id)
        .where(
            Enrolment.branch_id == branch_id,
            Enrolment.enrolled_at >= since,
            Resource.status == ResourceStatus.published,
        )
        .group_by(Enrolment.resource_id)
        .order_by(func.count(Enrolment.id).desc(), Enrolment.resource_id)
        .limit(limit + len(exclude))
    )
    rows = [(int(r[0]), int(r[1])) for r in session.execute(query)]
    return [r for r in rows if r[0] not in exclude][:limit]


def programmes_containing(session: Session, resource_ids: Sequence[int]) -> list[Programme]:
    """Programmes with at least one of ``resource_ids`` as an item, items loaded in order."""
    if not resource_ids:
        return []
    ids = select(ProgrammeItem.programme_id).where(
        ProgrammeItem.resource_id.in_(list(resource_ids))
    )
    return list(
        session.scalars(select(Programme).where(Programme.id.in_(ids)).order_by(Programme.id))
    )


ACTIVE_OR_DONE = (EnrolmentStatus.active.value, EnrolmentStatus.completed.value)
