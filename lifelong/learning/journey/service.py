"""Enrolment, progress and completion (no HTTP): every action also queues its statement.

Services take the session first and only ``flush``; the request's unit of work commits the
action, its outbox statements and any certificate together (see ``outbox.py``).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lifelong.accounts.models import Role, User
from lifelong.config import Settings
from lifelong.db.base import utcnow
from lifelong.errors import BadRequest, Conflict, Forbidden, NotFound
from lifelong.i18n import N_
from lifelong.learning.credentials import openbadges
from lifelong.learning.credentials import service as certificates
from lifelong.learning.journey import rules
from lifelong.learning.journey.models import EnrolmentUnit
from lifelong.learning.journey.outbox import emit
from lifelong.learning.models import (
    Certificate,
    Enrolment,
    EnrolmentStatus,
    Resource,
    ResourceStatus,
    ResourceType,
)
from lifelong.learning.xapi import ACTIVITY_TYPES

NOT_ENROLLED = N_("You are not enrolled in this resource: enrol first.")
MAX_REPORT_SECONDS = 300


def resource_or_404(session: Session, resource_id: int) -> Resource:
    """A published resource; 404 otherwise (drafts are not open for enrolment)."""
    resource = session.get(Resource, resource_id)
    if resource is None or resource.status != ResourceStatus.published:
        raise NotFound(N_("No published resource with this id."), params={"id": resource_id})
    return resource


def find(session: Session, user: User, resource_id: int) -> Enrolment | None:
    """The user's enrolment in a resource, withdrawn or not."""
    return session.scalar(
        select(Enrolment).where(Enrolment.user_id == user.id, Enrolment.resource_id == resource_id)
    )


def active(session: Session, user: User, resource_id: int) -> Enrolment:
    """The user's current enrolment: 404 for a missing resource, 409 when not enrolled."""
    found = find(session, user, resource_id)
    if found is None:
        resource_or_404(session, resource_id)
        raise Conflict(NOT_ENROLLED)
    if found.status == EnrolmentStatus.withdrawn:
        raise Conflict(N_("You left this resource: enrol again to continue."))
    return found


def enrol(session: Session, settings: Settings, user: User, resource_id: int) -> Enrolment:
    """Enrol (or re-enrol after leaving, keeping what was done); idempotent otherwise."""
    if user.erased_at is not None or not user.is_active:
        raise Forbidden(N_("This account is closed."))
    resource = resource_or_404(session, resource_id)
    enrolment = find(session, user, resource_id)
    now = utcnow()
    if enrolment is not None and enrolment.status != EnrolmentStatus.withdrawn:
        return enrolment
    if enrolment is None:
        enrolment = Enrolment(
            user_id=user.id,
            resource_id=resource.id,
            branch_id=user.branch_id,
            registration=str(uuid.uuid4()),
            status=EnrolmentStatus.active,
            enrolled_at=now,
            progress=0.0,
            position_seconds=0,
            seconds_spent=0,
            attempts=0,
        )
        enrolment.resource = resource
        session.add(enrolment)
        resource.enrolment_count = (resource.enrolment_count or 0) + 1
    else:
        enrolment.status = (
            EnrolmentStatus.completed if enrolment.completed_at else EnrolmentStatus.active
        )
        enrolment.withdrawn_at = None
    enrolment.last_activity_at = now
    session.flush()
    emit(
        session,
        settings,
        verb="registered",
        user=user,
        resource=resource,
        registration=enrolment.registration,
        at=now,
    )
    return enrolment


def withdraw(session: Session, settings: Settings, user: User, resource_id: int) -> Enrolment:
    """Leave a resource: its history (progress, attempts, certificate) is kept."""
    enrolment = active(session, user, resource_id)
    enrolment.status = EnrolmentStatus.withdrawn
    enrolment.withdrawn_at = utcnow()
    emit(
        session,
        settings,
        verb="withdrew",
        user=user,
        resource=enrolment.resource,
        registration=enrolment.registration,
    )
    return enrolment


def launch(session: Session, settings: Settings, user: User, resource_id: int) -> Enrolment:
    """The player was opened (xAPI ``launched``)."""
    enrolment = active(session, user, resource_id)
    enrolment.last_activity_at = utcnow()
    emit(
        session,
        settings,
        verb="launched",
        user=user,
        resource=enrolment.resource,
        registration=enrolment.registration,
    )
    return enrolment


def units_done(session: Session, enrolment: Enrolment) -> set[int]:
    """The units (or video segments) of an enrolment that are done."""
    return _units_done(session, enrolment)


def _units_done(session: Session, enrolment: Enrolment) -> set[int]:
    return set(
        session.scalars(
            select(EnrolmentUnit.unit).where(EnrolmentUnit.enrolment_id == enrolment.id)
        )
    )


def _mark_units(session: Session, enrolment: Enrolment, new: set[int]) -> set[int]:
    done = _units_done(session, enrolment)
    for unit in sorted(new - done):
        session.add(EnrolmentUnit(enrolment_id=enrolment.id, unit=unit))
    session.flush()
    return done | new


def _spent(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise BadRequest(N_("seconds must be a positive number of seconds spent."))
    return int(min(value, MAX_REPORT_SECONDS))


def report(
    session: Session, settings: Settings, user: User, resource_id: int, body: dict[str, Any]
) -> Enrolment:
    """Apply a progress report from a player, by the rule of the resource's type."""
    enrolment = active(session, user, resource_id)
    resource = enrolment.resource
    kind = resource.type
    before = enrolment.progress
    seconds = _spent(body.get("seconds"))
    if kind in rules.VIDEO_TYPES:
        raw_start, raw_end = body.get("played_from"), body.get("played_to")
        if not all(
            isinstance(v, int | float) and not isinstance(v, bool) for v in (raw_start, raw_end)
        ):
            raise BadRequest(N_("A video reports played_from and played_to in seconds."))
        start, end = float(raw_start), float(raw_end)  # type: ignore[arg-type]
        length = rules.video_length(resource)
        done = _mark_units(session, enrolment, rules.covered_segments(start, end, length))
        enrolment.position_seconds = int(min(max(float(end), 0.0), length))
        seconds = seconds or int(min(max(end - start, 0), rules.MAX_REPORT_SECONDS))
        fraction = len(done) / rules.segment_count(length)
        enrolment.progress = max(before, min(fraction, 1.0))
        verb, complete = "progressed", fraction >= rules.VIDEO_COMPLETE
    elif kind in rules.DOCUMENT_TYPES:
        fraction = rules.clamp_fraction(N_("read_fraction"), body.get("read_fraction"))
        enrolment.progress = max(before, fraction)
        verb, complete = "experienced", enrolment.progress >= rules.DOCUMENT_END
    elif kind in rules.UNIT_TYPES:
        unit = body.get("unit")
        total = len(rules.units(resource))
        if isinstance(unit, bool) or not isinstance(unit, int) or not 0 <= unit < total:
            raise BadRequest(
                N_("unit must be the index of one of this course's %(n)s units."),
                params={"n": total},
            )
        done = _mark_units(session, enrolment, {unit})
        enrolment.progress = max(before, len(done) / total)
        verb, complete = "progressed", len(done) >= total
    elif kind == ResourceType.assessment:
        raise Conflict(N_("An assessment progresses by attempts: submit your answers."))
    else:
        raise Conflict(N_("A live session progresses by attendance."))
    enrolment.seconds_spent += seconds
    enrolment.last_activity_at = utcnow()
    if enrolment.progress > before or seconds:
        emit(
            session,
            settings,
            verb=verb,
            user=user,
            resource=resource,
            registration=enrolment.registration,
            progress=enrolment.progress,
            duration_seconds=seconds,
        )
    if complete:
        _complete(session, settings, user, enrolment)
    return enrolment


def attempt(
    session: Session, settings: Settings, user: User, resource_id: int, answers: list[Any]
) -> tuple[Enrolment, rules.Scored]:
    """Submit an assessment attempt; scored here, limited to ``max_attempts``."""
    enrolment = active(session, user, resource_id)
    resource = enrolment.resource
    if resource.type != ResourceType.assessment:
        raise Conflict(N_("Only assessments take attempts."))
    limit = rules.max_attempts(resource)
    if enrolment.attempts >= limit:
        raise Conflict(N_("No attempts left: this assessment allows %(n)s."), params={"n": limit})
    scored = rules.score_attempt(resource, answers)
    enrolment.attempts += 1
    enrolment.best_score = max(enrolment.best_score or 0.0, scored.score)
    enrolment.progress = max(enrolment.progress, scored.score if scored.passed else 0.0)
    enrolment.last_activity_at = utcnow()
    registration = enrolment.registration
    emit(
        session,
        settings,
        verb="scored",
        user=user,
        resource=resource,
        registration=registration,
        score=scored.score,
    )
    emit(
        session,
        settings,
        verb="passed" if scored.passed else "failed",
        user=user,
        resource=resource,
        registration=registration,
        score=scored.score,
        success=scored.passed,
    )
    if scored.passed:
        _complete(session, settings, user, enrolment)
    return enrolment, scored


def attend(
    session: Session, settings: Settings, user: User, resource_id: int, now: datetime | None = None
) -> Enrolment:
    """Attend a live session now; 409 outside its schedule window."""
    enrolment = active(session, user, resource_id)
    if enrolment.resource.type != ResourceType.live_session:
        raise Conflict(N_("Only live sessions take attendance."))
    rules.check_attendance(
        enrolment.resource, now or utcnow(), settings.journey.attendance_early_minutes
    )
    _attended(session, settings, user, enrolment)
    return enrolment


def mark_attendance(
    session: Session, settings: Settings, teacher: User, resource_id: int, learner_id: int
) -> Enrolment:
    """A teacher marks a learner as having attended their live session."""
    from lifelong.learning.catalog.service import can_edit

    resource = resource_or_404(session, resource_id)
    if not can_edit(teacher, resource):
        raise Forbidden(N_("Only the resource's teacher or an administrator may mark attendance."))
    if resource.type != ResourceType.live_session:
        raise Conflict(N_("Only live sessions take attendance."))
    learner = session.get(User, learner_id)
    if learner is None or learner.role != Role.learner:
        raise NotFound(N_("No such learner."))
    enrolment = active(session, learner, resource_id)
    _attended(session, settings, learner, enrolment)
    return enrolment


def _attended(session: Session, settings: Settings, user: User, enrolment: Enrolment) -> None:
    if enrolment.completed_at is not None:
        return
    enrolment.seconds_spent += (enrolment.resource.duration_minutes or 0) * 60
    emit(
        session,
        settings,
        verb="attended",
        user=user,
        resource=enrolment.resource,
        registration=enrolment.registration,
        duration_seconds=(enrolment.resource.duration_minutes or 0) * 60,
    )
    _complete(session, settings, user, enrolment)


def _complete(session: Session, settings: Settings, user: User, enrolment: Enrolment) -> None:
    """Completion happens once: status, the certificate and its credits, two statements."""
    if enrolment.completed_at is not None:
        return
    now = utcnow()
    enrolment.status = EnrolmentStatus.completed
    enrolment.completed_at = now
    enrolment.progress = 1.0
    resource = enrolment.resource
    emit(
        session,
        settings,
        verb="completed",
        user=user,
        resource=resource,
        registration=enrolment.registration,
        completion=True,
        progress=1.0,
        at=now,
    )
    certificate = certificates.issue(session, settings, user, enrolment)
    _earned(session, settings, user, enrolment, certificate, parent=None, at=now)
    for programme in certificates.programmes_completed(session, user, resource.id):
        credential = certificates.issue_programme(session, settings, user, programme)
        if credential is not None:
            parent = f"{settings.iri_base}/programmes/{programme.id}"
            _earned(session, settings, user, enrolment, credential, parent=parent, at=now)


def _earned(
    session: Session,
    settings: Settings,
    user: User,
    enrolment: Enrolment,
    certificate: Certificate,
    *,
    parent: str | None,
    at: datetime,
) -> None:
    """The ``earned`` statement of a certificate (of the resource, or of a programme)."""
    earned = emit(
        session,
        settings,
        verb="earned",
        user=user,
        resource=enrolment.resource,
        registration=enrolment.registration,
        at=at,
    )
    # What was earned is the certificate (cmi5 "block"-typed activity named by its public
    # verification URL); what it was earned in (the resource, or the programme) is the
    # parent context activity.
    statement = dict(earned.statement)
    statement["context"] = {
        **statement["context"],
        "contextActivities": {
            "parent": [{"objectType": "Activity", "id": parent or statement["object"]["id"]}]
        },
    }
    statement["object"] = {
        "objectType": "Activity",
        "id": openbadges.verify_url(settings, certificate.id),
        "definition": {
            "type": ACTIVITY_TYPES["certificate"],
            "name": {"zh-CN": certificate.title}
            if parent
            else statement["object"]["definition"]["name"],
        },
    }
    earned.statement = statement


def certificate_for(session: Session, enrolment: Enrolment) -> Certificate | None:
    """The certificate an enrolment earned, if any."""
    return session.scalar(
        select(Certificate).where(
            Certificate.user_id == enrolment.user_id,
            Certificate.resource_id == enrolment.resource_id,
        )
    )


def of_user(session: Session, user_id: int) -> list[Enrolment]:
    """Every enrolment of a learner, most recently active first."""
    return list(
        session.scalars(
            select(Enrolment)
            .where(Enrolment.user_id == user_id)
            .order_by(Enrolment.last_activity_at.desc(), Enrolment.id.desc())
        )
    )
