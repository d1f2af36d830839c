"""What teachers and administrators see of their learners' progress (row-scoped)."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from lifelong.accounts.models import Branch, Role, User
from lifelong.errors import BadRequest, Forbidden
from lifelong.i18n import N_
from lifelong.learning.models import Enrolment, EnrolmentStatus, Resource

LIMIT = 1000  # rows an API call returns at most
Q = TypeVar("Q", bound=Select)  # a select over enrolments joined to their resources
STATUSES = tuple(status.value for status in EnrolmentStatus)


def parse_status(value: str | None) -> EnrolmentStatus | None:
    """An enrolment status filter (None: every status); 400 naming the known ones."""
    if not value:
        return None
    try:
        return EnrolmentStatus(value)
    except ValueError:
        raise BadRequest(
            N_("unknown status %(status)s; choose one of %(known)s"),
            params={"status": repr(value), "known": ", ".join(STATUSES)},
        ) from None


def _scoped(query: Q, viewer: User, resource_id: int | None, status: EnrolmentStatus | None) -> Q:
    """``query`` (over enrolments joined to their resources) kept to the viewer's reach:
    a teacher's own resources, a branch admin's branch, everything for headquarters."""
    if viewer.role == Role.teacher:
        query = query.where(Resource.created_by_id == viewer.id)
    elif viewer.role == Role.branch_admin:
        query = query.where(Enrolment.branch_id == viewer.branch_id)
    elif viewer.role != Role.hq_admin:
        raise Forbidden(N_("Only teachers and administrators see learners' progress."))
    if resource_id is not None:
        query = query.where(Enrolment.resource_id == resource_id)
    if status is not None:
        query = query.where(Enrolment.status == status)
    return query


def count_learners(
    session: Session,
    viewer: User,
    resource_id: int | None = None,
    *,
    status: EnrolmentStatus | None = None,
) -> int:
    """How many enrolments ``learners`` can list for these filters."""
    query = select(func.count(Enrolment.id)).join(Resource, Enrolment.resource_id == Resource.id)
    return int(session.scalar(_scoped(query, viewer, resource_id, status)) or 0)


def learners(
    session: Session,
    viewer: User,
    resource_id: int | None = None,
    *,
    status: EnrolmentStatus | None = None,
    offset: int = 0,
    limit: int = LIMIT,
) -> list[dict[str, Any]]:
    """Enrolments in the viewer's reach (a teacher's own resources, a branch admin's
    branch), by resource title, the most recently active first within a resource."""
    query = (
        select(Enrolment, Resource, User, Branch)
        .join(Resource, Enrolment.resource_id == Resource.id)
        .join(User, Enrolment.user_id == User.id)
        .join(Branch, Enrolment.branch_id == Branch.id)
    )
    rows = session.execute(
        _scoped(query, viewer, resource_id, status)
        .order_by(Resource.title, Enrolment.last_activity_at.desc(), Enrolment.id)
        .offset(max(offset, 0))
        .limit(min(max(limit, 1), LIMIT))
    ).all()
    return [
        {
            "resource_id": resource.id,
            "resource_title": resource.title,
            "resource_type": resource.type.value,
            "user_id": user.id,
            "learner": user.display_name if user.erased_at is None else f"#{user.id}",
            "branch_code": branch.code,
            "status": enrolment.status.value,
            "progress": round(enrolment.progress, 4),
            "attempts": enrolment.attempts,
            "best_score": enrolment.best_score,
            "last_activity_at": enrolment.last_activity_at,
            "completed_at": enrolment.completed_at,
        }
        for enrolment, resource, user, branch in rows
    ]
