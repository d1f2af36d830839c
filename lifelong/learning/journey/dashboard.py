"""The learner's dashboard: in progress, completed, certificates, hours, credits, next steps."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifelong.accounts.models import User
from lifelong.learning.credentials import service as certificates
from lifelong.learning.journey import service as journey
from lifelong.learning.models import (
    Certificate,
    Enrolment,
    EnrolmentStatus,
    ProgrammeItem,
    Resource,
    ResourceStatus,
)


@dataclass
class Dashboard:
    """What the learner sees on /my (and the API's /dashboard)."""

    in_progress: list[Enrolment] = field(default_factory=list)
    completed: list[Enrolment] = field(default_factory=list)
    withdrawn: list[Enrolment] = field(default_factory=list)
    certificates: list[Certificate] = field(default_factory=list)
    seconds: int = 0
    credits: Decimal = Decimal("0")
    next_steps: list[Resource] = field(default_factory=list)

    @property
    def hours(self) -> float:
        """Learning time in hours, one decimal."""
        return round(self.seconds / 3600, 1)


def _next_in_programmes(session: Session, enrolments: list[Enrolment]) -> list[Resource]:
    """The first not-yet-taken resource of each programme the learner has started."""
    taken = {e.resource_id for e in enrolments}
    if not taken:
        return []
    programme_ids = set(
        session.scalars(
            select(ProgrammeItem.programme_id).where(ProgrammeItem.resource_id.in_(taken))
        )
    )
    found: list[Resource] = []
    for programme_id in sorted(programme_ids)[:20]:
        items = session.scalars(
            select(ProgrammeItem)
            .where(ProgrammeItem.programme_id == programme_id)
            .order_by(ProgrammeItem.position)
        )
        for item in items:
            resource = item.resource
            if resource.id not in taken and resource.status == ResourceStatus.published:
                if resource not in found:
                    found.append(resource)
                break
    return found


def build(session: Session, user: User) -> Dashboard:
    """The dashboard of ``user``."""
    enrolments = journey.of_user(session, user.id)
    board = Dashboard(certificates=certificates.of_user(session, user.id))
    for enrolment in enrolments:
        board.seconds += enrolment.seconds_spent or 0
        if enrolment.status == EnrolmentStatus.completed:
            board.completed.append(enrolment)
        elif enrolment.status == EnrolmentStatus.withdrawn:
            board.withdrawn.append(enrolment)
        else:
            board.in_progress.append(enrolment)
    board.credits = sum(
        (c.credits or Decimal("0") for c in board.certificates if c.revoked_at is None),
        Decimal("0"),
    )
    board.next_steps = _next_in_programmes(session, enrolments)[:5]
    return board
