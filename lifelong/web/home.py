"""What each role's home page shows: counts within the viewer's reach."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lifelong.accounts.models import Branch, Role, User
from lifelong.i18n import N_
from lifelong.learning.models import Certificate, Enrolment, EnrolmentStatus, Resource


@dataclass(frozen=True)
class Figure:
    """One headline number; ``label`` is an English msgid."""

    label: str
    value: int


def _count(session: Session, query: object) -> int:
    return int(session.scalar(query) or 0)  # type: ignore[call-overload]


def _seconds(session: Session, user_id: int) -> int:
    """Time the learner spent learning, from their enrolments (the /my dashboard's hours)."""
    query = select(func.coalesce(func.sum(Enrolment.seconds_spent), 0))
    return _count(session, query.where(Enrolment.user_id == user_id))


def _credits(session: Session, user_id: int) -> float:
    """Credits of the learner's unrevoked certificates."""
    total = session.scalar(
        select(func.coalesce(func.sum(Certificate.credits), 0)).where(
            Certificate.user_id == user_id, Certificate.revoked_at.is_(None)
        )
    )
    return float(total or 0)


def figures_for(session: Session, user: User) -> list[Figure]:
    """Headline figures: the learner's own, the branch's for branch staff, all for HQ."""
    if user.role == Role.learner:
        mine = select(func.count(Enrolment.id)).where(Enrolment.user_id == user.id)
        return [
            Figure(N_("Enrolled"), _count(session, mine)),
            Figure(
                N_("Completed"),
                _count(session, mine.where(Enrolment.status == EnrolmentStatus.completed)),
            ),
            Figure(
                N_("Certificates"),
                _count(
                    session,
                    select(func.count(Certificate.id)).where(Certificate.user_id == user.id),
                ),
            ),
            Figure(N_("Hours"), round(_seconds(session, user.id) / 3600)),
            Figure(N_("Credits"), int(_credits(session, user.id))),
        ]
    branch_id = None if user.role in (Role.hq_admin, Role.analyst) else user.branch_id
    learners = select(func.count(User.id)).where(User.role == Role.learner)
    enrolments = select(func.count(Enrolment.id))
    completed = enrolments.where(Enrolment.status == EnrolmentStatus.completed)
    if branch_id is not None:
        learners = learners.where(User.branch_id == branch_id)
        enrolments = enrolments.where(Enrolment.branch_id == branch_id)
        completed = completed.where(Enrolment.branch_id == branch_id)
    figures = [
        Figure(N_("Learners"), _count(session, learners)),
        Figure(N_("Enrolments"), _count(session, enrolments)),
        Figure(N_("Completions"), _count(session, completed)),
        Figure(N_("Resources"), _count(session, select(func.count(Resource.id)))),
    ]
    if branch_id is None:
        figures.insert(
            0,
            Figure(
                N_("Branches"),
                _count(session, select(func.count(Branch.id)).where(Branch.kind != "headquarters")),
            ),
        )
    return figures
