"""What teachers and administrators see of their learners' progress (row-scoped)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifelong.accounts.models import Branch, Role, User
from lifelong.errors import Forbidden
from lifelong.i18n import N_
from lifelong.learning.models import Enrolment, Resource

LIMIT = 1000


def learners(
    session: Session, viewer: User, resource_id: int | None = None
) -> list[dict[str, Any]]:
    """Enrolments in the viewer's reach: a teacher's own resources, a branch admin's branch."""
    query = (
        select(Enrolment, Resource, User, Branch)
        .join(Resource, Enrolment.resource_id == Resource.id)
        .join(User, Enrolment.user_id == User.id)
        .join(Branch, Enrolment.branch_id == Branch.id)
    )
    if viewer.role == Role.teacher:
        query = query.where(Resource.created_by_id == viewer.id)
    elif viewer.role == Role.branch_admin:
        query = query.where(Enrolment.branch_id == viewer.branch_id)
    elif viewer.role != Role.hq_admin:
        raise Forbidden(N_("Only teachers and administrators see learners' progress."))
    if resource_id is not None:
        query = query.where(Enrolment.resource_id == resource_id)
    rows = session.execute(
        query.order_by(Resource.title, Enrolment.last_activity_at.desc()).limit(LIMIT)
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
