"""Type-specific content on the authoring form, to and from ``resource.content``.

The keys are those the players read (see ``lifelong/learning/journey/content.py``):
videos ``length_seconds``/``url``, documents ``body``, assessments ``questions`` (prompt,
choices, answer index), ``pass_mark`` (0..1) and ``max_attempts``, live sessions
``schedule`` (``starts_at``, ``ends_at``, ``room``), courses ``units``.

Assessment questions are typed as plain text, one block per question::

    What does 终身教育 mean?
    - Primary school
    * Lifelong education      <- the asterisk marks the right answer
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from lifelong.errors import BadRequest
from lifelong.i18n import N_, Message
from lifelong.learning.models import Resource


def parse_questions(text: str) -> list[dict[str, Any]]:
    """Questions from the text format above; 400 naming the question that is wrong."""
    questions: list[dict[str, Any]] = []
    blocks = [b for b in text.replace("\r\n", "\n").split("\n\n") if b.strip()]
    for number, block in enumerate(blocks, 1):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        prompt_lines = [line for line in lines if not line.startswith(("-", "*"))]
        choices = [line[1:].strip() for line in lines if line.startswith(("-", "*"))]
        answers = [
            i
            for i, line in enumerate(x for x in lines if x.startswith(("-", "*")))
            if line.startswith("*")
        ]
        if not prompt_lines or len(choices) < 2 or len(answers) != 1:
            raise BadRequest(
                N_(
                    "Question %(n)s needs a prompt, at least two choices (- ...) and "
                    "exactly one right answer (* ...)."
                ),
                params={"n": number},
            )
        questions.append(
            {"prompt": " ".join(prompt_lines), "choices": choices, "answer": answers[0]}
        )
    return questions


def format_questions(questions: list[dict[str, Any]]) -> str:
    """The text format of stored questions."""
    blocks = []
    for question in questions:
        lines = [str(question.get("prompt", ""))]
        for index, choice in enumerate(question.get("choices") or []):
            lines.append(("* " if index == question.get("answer") else "- ") + str(choice))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _moment(name: str, value: str) -> str | None:
    if not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise BadRequest(
            N_("%(field)s must be a date and time, not %(value)s."),
            params={"field": Message(name), "value": repr(value)},
        ) from None
    # The form's datetime-local has no zone: it is taken as UTC (stated on the form).
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


def _number(name: str, value: str, maximum: float) -> float | None:
    if not str(value).strip():
        return None
    try:
        number = float(value)
    except ValueError:
        raise BadRequest(
            N_("%(field)s must be a number, not %(value)s."),
            params={"field": Message(name), "value": repr(value)},
        ) from None
    if not 0 <= number <= maximum:
        raise BadRequest(
            N_("%(field)s must be between 0 and %(max)s."),
            params={"field": Message(name), "max": f"{maximum:g}"},
        )
    return number


def content_from_form(kind: str, form: dict[str, Any]) -> dict[str, Any]:
    """The content object for a resource of type ``kind`` from the form's fields."""
    field = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    content: dict[str, Any] = {}
    if kind == "video":
        length = _number(N_("Video length"), field.get("video_length_seconds", ""), 86_400)
        if length is not None:
            content["length_seconds"] = int(length)
        if field.get("video_url", "").strip():
            content["url"] = field["video_url"].strip()
    elif kind in ("document", "ebook"):
        if field.get("document_body", "").strip():
            content["body"] = field["document_body"]
    elif kind == "assessment":
        content["questions"] = parse_questions(field.get("assessment_questions", ""))
        mark = _number(N_("Pass mark"), field.get("pass_mark", ""), 100)
        if mark is not None:
            content["pass_mark"] = mark / 100
        attempts = _number(N_("Attempts allowed"), field.get("max_attempts", ""), 100)
        if attempts is not None:
            content["max_attempts"] = int(attempts)
    elif kind == "live_session":
        starts = _moment(N_("Start"), field.get("live_starts_at", ""))
        if starts:
            schedule = {"starts_at": starts}
            ends = _moment(N_("End"), field.get("live_ends_at", ""))
            if ends:
                if ends <= starts:
                    raise BadRequest(N_("The live session must end after it starts."))
                schedule["ends_at"] = ends
            if field.get("live_room", "").strip():
                schedule["room"] = field["live_room"].strip()
            content["schedule"] = schedule
    elif kind in ("course", "micro_course"):
        units = [
            line.strip() for line in field.get("course_units", "").splitlines() if line.strip()
        ]
        if units:
            content["units"] = [{"title": title} for title in units]
    return content


def form_from_resource(resource: Resource) -> dict[str, Any]:
    """The form's field values for an existing resource."""
    content = resource.content or {}
    raw_schedule = content.get("schedule")
    schedule: dict[str, Any] = raw_schedule if isinstance(raw_schedule, dict) else {}
    pass_mark = content.get("pass_mark")
    return {
        "provider": resource.provider.code,
        "external_id": resource.external_id,
        "title": resource.title,
        "description": resource.description,
        "language": resource.language,
        "type": resource.type.value,
        "level": resource.level.value,
        "format": resource.format.value,
        "subject": resource.subject.code,
        "duration_minutes": resource.duration_minutes,
        "credits": resource.credits,
        "tags": ", ".join(resource.tags or []),
        "status": resource.status.value,
        "prerequisites": ", ".join(str(p.id) for p in resource.prerequisites),
        "video_length_seconds": content.get("length_seconds", ""),
        "video_url": content.get("url", ""),
        "document_body": content.get("body", ""),
        "assessment_questions": format_questions(content.get("questions") or []),
        "pass_mark": round(float(pass_mark) * 100) if isinstance(pass_mark, int | float) else "",
        "max_attempts": content.get("max_attempts", ""),
        "live_starts_at": str(schedule.get("starts_at", ""))[:16],
        "live_ends_at": str(schedule.get("ends_at", ""))[:16],
        "live_room": schedule.get("room", ""),
        "course_units": "\n".join(
            str(u.get("title", "")) for u in content.get("units") or [] if isinstance(u, dict)
        ),
    }
