"""REST API of the journey: enrolments, progress, attempts, attendance, the dashboard."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel

from lifelong.learning.journey import dashboard, rules, service, teaching
from lifelong.learning.journey.schemas import (
    AttemptResult,
    AttemptSubmit,
    AttendanceMark,
    EnrolmentCreate,
    EnrolmentRead,
    LearnerProgress,
    ProgressReport,
    QuestionRead,
)
from lifelong.learning.models import Enrolment
from lifelong.web.deps import AppSettings, CurrentUser, DbSession

router = APIRouter(prefix="/api/v1", tags=["learning journey"])


def _read(session: DbSession, enrolment: Enrolment) -> EnrolmentRead:
    session.flush()
    return EnrolmentRead.of(enrolment, service.certificate_for(session, enrolment))


@router.post("/enrolments", response_model=EnrolmentRead, status_code=201)
def enrol(
    session: DbSession,
    settings: AppSettings,
    user: CurrentUser,
    body: EnrolmentCreate,
    response: Response,
) -> EnrolmentRead:
    """Enrol in a published resource (404 when there is none); 200 if already enrolled."""
    existing = service.find(session, user, body.resource_id)
    already = existing is not None and existing.withdrawn_at is None
    enrolment = service.enrol(session, settings, user, body.resource_id)
    if already:
        response.status_code = 200
    return _read(session, enrolment)


@router.get("/enrolments", response_model=list[EnrolmentRead])
def my_enrolments(session: DbSession, user: CurrentUser) -> list[EnrolmentRead]:
    """Every enrolment of the caller, wherever it was made."""
    return [_read(session, e) for e in service.of_user(session, user.id)]


@router.get("/enrolments/{resource_id}", response_model=EnrolmentRead)
def my_enrolment(session: DbSession, user: CurrentUser, resource_id: int) -> EnrolmentRead:
    """The caller's enrolment in one resource (409 when not enrolled)."""
    enrolment = service.find(session, user, resource_id)
    if enrolment is None:
        enrolment = service.active(session, user, resource_id)
    return _read(session, enrolment)


@router.delete("/enrolments/{resource_id}", response_model=EnrolmentRead)
def withdraw(
    session: DbSession, settings: AppSettings, user: CurrentUser, resource_id: int
) -> EnrolmentRead:
    """Leave a resource; progress, attempts and certificates are kept."""
    return _read(session, service.withdraw(session, settings, user, resource_id))


@router.post("/enrolments/{resource_id}/launch", response_model=EnrolmentRead)
def launch(
    session: DbSession, settings: AppSettings, user: CurrentUser, resource_id: int
) -> EnrolmentRead:
    """The player opened (xAPI launched); returns where to resume."""
    return _read(session, service.launch(session, settings, user, resource_id))


@router.post("/enrolments/{resource_id}/progress", response_model=EnrolmentRead)
def progress(
    session: DbSession,
    settings: AppSettings,
    user: CurrentUser,
    resource_id: int,
    body: ProgressReport,
) -> EnrolmentRead:
    """Report progress (409 when not enrolled); completion and certificate follow the rule."""
    data: dict[str, Any] = body.model_dump(exclude_none=True)
    return _read(session, service.report(session, settings, user, resource_id, data))


@router.get("/enrolments/{resource_id}/questions", response_model=list[QuestionRead])
def questions(session: DbSession, user: CurrentUser, resource_id: int) -> list[QuestionRead]:
    """An assessment's questions without the answer key (enrolled learners only)."""
    enrolment = service.active(session, user, resource_id)
    return [QuestionRead(**q) for q in rules.public_questions(enrolment.resource)]


@router.post("/enrolments/{resource_id}/attempts", response_model=AttemptResult)
def attempt(
    session: DbSession,
    settings: AppSettings,
    user: CurrentUser,
    resource_id: int,
    body: AttemptSubmit,
) -> AttemptResult:
    """Submit answers; the server marks them (409 when no attempts are left)."""
    enrolment, scored = service.attempt(session, settings, user, resource_id, body.answers)
    return AttemptResult(
        correct=scored.correct,
        total=scored.total,
        score=round(scored.score, 4),
        passed=scored.passed,
        pass_mark=rules.pass_mark(enrolment.resource),
        enrolment=_read(session, enrolment),
    )


@router.post("/enrolments/{resource_id}/attendance", response_model=EnrolmentRead)
def attend(
    session: DbSession, settings: AppSettings, user: CurrentUser, resource_id: int
) -> EnrolmentRead:
    """Check in to a live session (409 outside its schedule window)."""
    return _read(session, service.attend(session, settings, user, resource_id))


@router.post("/teach/resources/{resource_id}/attendance", response_model=EnrolmentRead)
def mark_attendance(
    session: DbSession,
    settings: AppSettings,
    user: CurrentUser,
    resource_id: int,
    body: AttendanceMark,
) -> EnrolmentRead:
    """A teacher marks a learner present at their live session."""
    enrolment = service.mark_attendance(session, settings, user, resource_id, body.user_id)
    return _read(session, enrolment)


@router.get("/teach/learners", response_model=list[LearnerProgress])
def learners(
    session: DbSession,
    user: CurrentUser,
    resource_id: int | None = None,
    status: str | None = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=teaching.LIMIT)] = teaching.LIMIT,
) -> list[LearnerProgress]:
    """Learners of the caller's resources (teacher) or branch (branch admin) with progress,
    by resource title and most recent activity; ``status`` (active, completed, withdrawn)
    keeps one status, ``offset``/``limit`` page through them."""
    rows = teaching.learners(
        session, user, resource_id, status=teaching.parse_status(status), offset=offset, limit=limit
    )
    return [LearnerProgress(**{k: v for k, v in r.items() if k != "resource_type"}) for r in rows]


class DashboardRead(BaseModel):
    """The learner's dashboard figures and lists."""

    in_progress: list[EnrolmentRead]
    completed: list[EnrolmentRead]
    certificates: list[str]
    hours: float
    credits: float
    next_steps: list[int]


@router.get("/dashboard", response_model=DashboardRead)
def my_dashboard(session: DbSession, user: CurrentUser) -> DashboardRead:
    """In progress, completed, certificate ids, hours, credits and next resources."""
    board = dashboard.build(session, user)
    return DashboardRead(
        in_progress=[_read(session, e) for e in board.in_progress],
        completed=[_read(session, e) for e in board.completed],
        certificates=[c.id for c in board.certificates],
        hours=board.hours,
        credits=float(board.credits),
        next_steps=[r.id for r in board.next_steps],
    )
