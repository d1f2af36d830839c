"""API shapes of the journey: enrolments, progress reports, attempts, the dashboard."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from lifelong.learning.journey import rules
from lifelong.learning.models import Certificate, Enrolment, ResourceType


class EnrolmentCreate(BaseModel):
    """Enrol in a resource."""

    model_config = ConfigDict(extra="forbid")
    resource_id: int


class EnrolmentRead(BaseModel):
    """A learner's enrolment and where they are with it."""

    resource_id: int
    title: str
    type: ResourceType
    status: str
    registration: str
    progress: float = Field(description="0..1; never goes down.")
    position_seconds: int = Field(description="Where a video resumes.")
    seconds_spent: int
    attempts: int
    attempts_left: int | None = Field(description="Assessments only.")
    best_score: float | None
    enrolled_at: datetime
    last_activity_at: datetime | None
    completed_at: datetime | None
    withdrawn_at: datetime | None
    certificate_id: str | None
    player_url: str

    @classmethod
    def of(cls, enrolment: Enrolment, certificate: Certificate | None) -> EnrolmentRead:
        """Build from the model."""
        resource = enrolment.resource
        left = None
        if resource.type == ResourceType.assessment:
            left = max(rules.max_attempts(resource) - enrolment.attempts, 0)
        return cls(
            resource_id=resource.id,
            title=resource.title,
            type=resource.type,
            status=enrolment.status.value,
            registration=enrolment.registration,
            progress=round(enrolment.progress, 4),
            position_seconds=enrolment.position_seconds,
            seconds_spent=enrolment.seconds_spent,
            attempts=enrolment.attempts,
            attempts_left=left,
            best_score=enrolment.best_score,
            enrolled_at=enrolment.enrolled_at,
            last_activity_at=enrolment.last_activity_at,
            completed_at=enrolment.completed_at,
            withdrawn_at=enrolment.withdrawn_at,
            certificate_id=certificate.id if certificate else None,
            player_url=f"/learn/{resource.id}",
        )


class ProgressReport(BaseModel):
    """What a player reports; which fields count depends on the resource's type."""

    model_config = ConfigDict(extra="forbid")
    played_from: float | None = Field(default=None, description="Video: interval start (s).")
    played_to: float | None = Field(default=None, description="Video: interval end (s).")
    read_fraction: float | None = Field(
        default=None, description="Document / e-book: how far down the text (0..1)."
    )
    unit: int | None = Field(default=None, description="Course: index of the unit done.")
    seconds: int | None = Field(default=None, ge=0, description="Time spent since last report.")


class AttemptSubmit(BaseModel):
    """An assessment attempt: one choice index per question (null = unanswered)."""

    model_config = ConfigDict(extra="forbid")
    answers: list[int | None] = Field(max_length=500)


class AttemptResult(BaseModel):
    """The server's marking of an attempt."""

    correct: int
    total: int
    score: float
    passed: bool
    pass_mark: float
    enrolment: EnrolmentRead


class AttendanceMark(BaseModel):
    """A teacher marks a learner present."""

    model_config = ConfigDict(extra="forbid")
    user_id: int


class QuestionRead(BaseModel):
    """A question as the learner sees it (no answer key)."""

    prompt: str
    choices: list[str]


class LearnerProgress(BaseModel):
    """One learner's progress in one of the teacher's resources."""

    resource_id: int
    resource_title: str
    user_id: int
    learner: str
    branch_code: str
    status: str
    progress: float
    attempts: int
    best_score: float | None
    last_activity_at: datetime | None
    completed_at: datetime | None
