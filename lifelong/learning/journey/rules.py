"""Progress and completion rules per resource type (no I/O: pure functions of content).

- **video**: the timeline is cut into 10-second segments; a segment is watched when a
  reported play interval covers its middle. Complete at >= 90 % of segments watched, so
  seeking to the end or replaying one minute never completes a video. The last position
  is kept so the learner resumes there.
- **document / e-book**: complete when read to the end (the player reports how far down
  the text the reader has scrolled, 0..1; reaching 1 is the end).
- **assessment**: scored on the server from the stored answer key (a client's score is
  never read); passed when score >= ``pass_mark``; at most ``max_attempts`` attempts.
- **live session**: complete when attended inside the schedule window (from a little
  before the start to the end), or when the teacher marks attendance.
- **course / micro-course**: complete when every unit is done (one unit when none listed).

Progress never goes backwards: every rule returns the larger of the old and new values.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from lifelong.errors import BadRequest, Conflict
from lifelong.i18n import N_, Message
from lifelong.learning.models import Resource, ResourceType

SEGMENT_SECONDS = 10
VIDEO_COMPLETE = 0.9
# One progress report covers at most this much playback: the player reports every few
# seconds, so a single report claiming the whole video is a seek, not watching.
MAX_REPORT_SECONDS = 30
DOCUMENT_END = 0.999
DEFAULT_PASS_MARK = 0.6
DEFAULT_MAX_ATTEMPTS = 3
DEFAULT_LIVE_MINUTES = 60

VIDEO_TYPES = frozenset({ResourceType.video})
DOCUMENT_TYPES = frozenset({ResourceType.document, ResourceType.ebook})
UNIT_TYPES = frozenset({ResourceType.course, ResourceType.micro_course})


def video_length(resource: Resource) -> int:
    """The video's length in seconds (its content, else its duration, else ten minutes)."""
    content = resource.content or {}
    length = content.get("length_seconds")
    if isinstance(length, int | float) and length > 0:
        return int(length)
    return max(int(resource.duration_minutes or 0) * 60, 0) or 600


def segment_count(length_seconds: int) -> int:
    """How many 10-second segments a video of this length has."""
    return max(math.ceil(length_seconds / SEGMENT_SECONDS), 1)


def covered_segments(start: float, end: float, length_seconds: int) -> set[int]:
    """Segments whose middle lies in the played interval [start, end] (clamped)."""
    if not (math.isfinite(start) and math.isfinite(end)) or end < start:
        raise BadRequest(N_("A played interval needs a start before its end, in seconds."))
    start = max(start, 0.0)
    end = min(end, start + MAX_REPORT_SECONDS, float(length_seconds))
    covered: set[int] = set()
    for index in range(segment_count(length_seconds)):
        low = index * SEGMENT_SECONDS
        middle = (low + min(low + SEGMENT_SECONDS, length_seconds)) / 2
        if start <= middle <= end:
            covered.add(index)
    return covered


def units(resource: Resource) -> list[dict[str, Any]]:
    """The units of a course (one implicit unit when none are listed)."""
    listed = (resource.content or {}).get("units")
    if isinstance(listed, list) and listed:
        return [u if isinstance(u, dict) else {"title": str(u)} for u in listed]
    return [{"title": resource.title}]


def questions(resource: Resource) -> list[dict[str, Any]]:
    """The assessment's questions (with their answer key: never send these to a browser)."""
    found = (resource.content or {}).get("questions")
    return [q for q in found if isinstance(q, dict)] if isinstance(found, list) else []


def public_questions(resource: Resource) -> list[dict[str, Any]]:
    """The questions as a learner sees them: prompt and choices, no answer."""
    return [
        {"prompt": str(q.get("prompt", "")), "choices": [str(c) for c in q.get("choices") or []]}
        for q in questions(resource)
    ]


def pass_mark(resource: Resource) -> float:
    """Score (0..1) needed to pass."""
    mark = (resource.content or {}).get("pass_mark")
    return float(mark) if isinstance(mark, int | float) and 0 <= mark <= 1 else DEFAULT_PASS_MARK


def max_attempts(resource: Resource) -> int:
    """How many attempts a learner has."""
    limit = (resource.content or {}).get("max_attempts")
    return int(limit) if isinstance(limit, int) and limit > 0 else DEFAULT_MAX_ATTEMPTS


@dataclass(frozen=True)
class Scored:
    """An assessment attempt marked on the server."""

    correct: int
    total: int
    score: float
    passed: bool


def score_attempt(resource: Resource, answers: list[Any]) -> Scored:
    """Mark ``answers`` (one choice index per question) against the stored key."""
    key = questions(resource)
    if not key:
        raise Conflict(N_("This assessment has no questions yet."))
    if len(answers) != len(key):
        raise BadRequest(
            N_("Answer every question: %(expected)s answers expected, %(given)s given."),
            params={"expected": len(key), "given": len(answers)},
        )
    correct = 0
    for number, (question, answer) in enumerate(zip(key, answers, strict=True), 1):
        choices = question.get("choices") or []
        if answer is not None and (
            not isinstance(answer, int)
            or isinstance(answer, bool)
            or not 0 <= answer < len(choices)
        ):
            raise BadRequest(
                N_("Answer %(n)s must be the index of one of its choices."), params={"n": number}
            )
        if answer is not None and answer == question.get("answer"):
            correct += 1
    score = correct / len(key)
    return Scored(correct=correct, total=len(key), score=score, passed=score >= pass_mark(resource))


def _moment(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def live_window(resource: Resource, early_minutes: int) -> tuple[datetime, datetime] | None:
    """When attendance counts: from ``early_minutes`` before the start to the end."""
    schedule = (resource.content or {}).get("schedule")
    if not isinstance(schedule, dict):
        return None
    starts = _moment(schedule.get("starts_at"))
    if starts is None:
        return None
    ends = _moment(schedule.get("ends_at")) or starts + timedelta(
        minutes=resource.duration_minutes or DEFAULT_LIVE_MINUTES
    )
    return starts - timedelta(minutes=early_minutes), ends


def check_attendance(resource: Resource, now: datetime, early_minutes: int) -> None:
    """409 unless ``now`` is inside the live session's window."""
    window = live_window(resource, early_minutes)
    if window is None:
        raise Conflict(
            N_("This live session has no schedule yet; your teacher can mark attendance.")
        )
    opens, closes = window
    if now < opens:
        raise Conflict(N_("The live session has not started yet."))
    if now > closes:
        raise Conflict(N_("The live session is over; your teacher can mark attendance."))


def clamp_fraction(name: str, value: Any) -> float:
    """A 0..1 fraction, or 400 naming the field."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise BadRequest(
            N_("%(field)s must be a number between 0 and 1."), params={"field": Message(name)}
        )
    if not 0 <= value <= 1:
        raise BadRequest(N_("%(field)s must be between 0 and 1."), params={"field": Message(name)})
    return float(value)
