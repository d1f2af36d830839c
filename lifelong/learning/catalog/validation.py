"""Rules a resource's fields must follow, shared by authoring, the API and imports.

Each rule raises :class:`BadRequest` naming the field and what was wrong, so a page, an
API call and an import report all say the same thing. Field names are msgids (``N_``):
the API shows them as they are, pages translate them with the message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.orm import Session

from lifelong.errors import BadRequest
from lifelong.i18n import N_, Message
from lifelong.learning.catalog import repository
from lifelong.learning.models import (
    Provider,
    ResourceFormat,
    ResourceLevel,
    ResourceStatus,
    ResourceType,
    Subject,
)

TITLE_MAX = 300
DESCRIPTION_MAX = 20_000
EXTERNAL_ID_MAX = 128
TAG_MAX = 50
TAGS_MAX = 30
LANGUAGES = ("zh", "en")
HTML_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")


@dataclass
class ResourceFields:
    """Validated, normalised values of a resource (``None``: not given)."""

    external_id: str | None = None
    title: str | None = None
    description: str | None = None
    language: str | None = None
    type: ResourceType | None = None
    level: ResourceLevel | None = None
    format: ResourceFormat | None = None
    subject: Subject | None = None
    provider: Provider | None = None
    duration_minutes: int | None = None
    credits: Decimal | None = None
    tags: list[str] | None = None
    content: dict[str, Any] | None = None
    status: ResourceStatus | None = None


def missing(name: str) -> BadRequest:
    """The error for a required field left empty."""
    return BadRequest(N_("%(field)s is missing."), params={"field": Message(name)})


def text(name: str, value: Any, maximum: int, *, required: bool = False) -> str:
    """A string trimmed of surrounding spaces and no longer than ``maximum``."""
    value = "" if value is None else str(value).strip()
    if required and not value:
        raise missing(name)
    if len(value) > maximum:
        raise BadRequest(
            N_("%(field)s is longer than %(max)s characters (%(n)s)."),
            params={"field": Message(name), "max": maximum, "n": len(value)},
        )
    return value


def choice(name: str, value: Any, enum: type[Any]) -> Any:
    """A member of ``enum`` by value; 400 listing the allowed values."""
    try:
        return enum(str(value).strip())
    except ValueError:
        raise BadRequest(
            N_("Unknown %(field)s %(value)s: use one of %(allowed)s."),
            params={
                "field": Message(name),
                "value": repr(value),
                "allowed": ", ".join(m.value for m in enum),
            },
        ) from None


def whole_number(name: str, value: Any, maximum: int) -> int:
    """A whole number from 0 to ``maximum``."""
    try:
        number = int(str(value).strip())
    except ValueError:
        raise BadRequest(
            N_("%(field)s must be a whole number, not %(value)s."),
            params={"field": Message(name), "value": repr(value)},
        ) from None
    if not 0 <= number <= maximum:
        raise BadRequest(
            N_("%(field)s must be between 0 and %(max)s, not %(value)s."),
            params={"field": Message(name), "max": maximum, "value": number},
        )
    return number


def credits(value: Any) -> Decimal:
    """Credits: 0 to 99.9 in tenths."""
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise BadRequest(
            N_("credits must be a number, not %(value)s."), params={"value": repr(value)}
        ) from None
    if not number.is_finite() or not Decimal(0) <= number <= Decimal("99.9"):
        raise BadRequest(
            N_("credits must be between 0 and 99.9, not %(value)s."), params={"value": repr(value)}
        )
    if number != number.quantize(Decimal("0.1")):
        raise BadRequest(
            N_("credits allow one decimal place, not %(value)s."), params={"value": repr(value)}
        )
    return number.quantize(Decimal("0.1"))


def tags(value: Any) -> list[str]:
    """Tags from a list or a ``;``/``|``/``,`` separated string, de-duplicated in order."""
    if value is None or value == "":
        return []
    items = value if isinstance(value, list) else re.split(r"[;|,，；]", str(value))
    out: list[str] = []
    for item in items:
        tag = text(N_("tag"), item, TAG_MAX)
        if tag and tag not in out:
            out.append(tag)
    if len(out) > TAGS_MAX:
        raise BadRequest(
            N_("tags: at most %(max)s tags, not %(n)s."), params={"max": TAGS_MAX, "n": len(out)}
        )
    return out


def subject(session: Session, code: Any) -> Subject:
    """A subject by code; 400 naming an unknown code."""
    if not str(code or "").strip():
        raise missing(N_("subject"))
    found = repository.subject_by_code(session, str(code or "").strip())
    if found is None:
        raise BadRequest(N_("Unknown subject %(code)s."), params={"code": repr(code)})
    return found


def provider(session: Session, code: Any) -> Provider:
    """A provider by code; 400 naming an unknown code."""
    found = repository.provider_by_code(session, str(code or "").strip())
    if found is None:
        raise BadRequest(N_("Unknown provider %(code)s."), params={"code": repr(code)})
    return found


def content(kind: ResourceType, value: Any) -> dict[str, Any]:
    """Type-specific content in the shape the players read (journey/content.py)."""
    if value is None or value == "":
        return {}
    if not isinstance(value, dict):
        raise BadRequest(N_("content must be an object."))
    if kind == ResourceType.video and "length_seconds" in value:
        value["length_seconds"] = whole_number(
            N_("content.length_seconds"), value["length_seconds"], 86_400
        )
    if kind == ResourceType.assessment:
        questions = value.get("questions") or []
        if not isinstance(questions, list):
            raise BadRequest(N_("content.questions must be a list."))
        for number, question in enumerate(questions, 1):
            if not isinstance(question, dict) or not str(question.get("prompt", "")).strip():
                raise BadRequest(
                    N_("content.questions[%(n)s] needs a prompt."), params={"n": number}
                )
            choices = question.get("choices")
            if not isinstance(choices, list) or len(choices) < 2:
                raise BadRequest(
                    N_("content.questions[%(n)s] needs at least two choices."), params={"n": number}
                )
            answer = question.get("answer")
            if (
                not isinstance(answer, int)
                or isinstance(answer, bool)
                or not 0 <= answer < len(choices)
            ):
                raise BadRequest(
                    N_("content.questions[%(n)s].answer must index a choice."), params={"n": number}
                )
    if kind == ResourceType.live_session and "schedule" in value:
        schedule = value["schedule"]
        if not isinstance(schedule, dict) or not schedule.get("starts_at"):
            raise BadRequest(N_("content.schedule needs starts_at."))
    return value


def resource_fields(
    session: Session,
    data: dict[str, Any],
    *,
    partial: bool,
    current_type: ResourceType = ResourceType.course,
) -> ResourceFields:
    """Validate raw fields (from a form, JSON or an import row) into :class:`ResourceFields`."""
    fields = ResourceFields()
    given = {k: v for k, v in data.items() if v is not None}
    if not partial or "title" in given:
        fields.title = text(N_("title"), given.get("title"), TITLE_MAX, required=True)
    if "external_id" in given:
        fields.external_id = text(N_("external_id"), given["external_id"], EXTERNAL_ID_MAX) or None
    if "description" in given:
        fields.description = text(N_("description"), given["description"], DESCRIPTION_MAX)
    if "language" in given or not partial:
        fields.language = str(given.get("language") or "zh").strip().lower()
        if fields.language not in LANGUAGES:
            raise BadRequest(
                N_("Unknown language %(value)s: use zh or en."),
                params={"value": repr(fields.language)},
            )
    for name, enum in (
        (N_("type"), ResourceType),
        (N_("level"), ResourceLevel),
        (N_("format"), ResourceFormat),
    ):
        if name in given or not partial:
            if name not in given or given[name] == "":
                raise missing(name)
            setattr(fields, name, choice(name, given[name], enum))
    if "subject" in given or not partial:
        fields.subject = subject(session, given.get("subject"))
    if "provider" in given:
        fields.provider = provider(session, given["provider"])
    if given.get("duration_minutes", "") != "":
        fields.duration_minutes = whole_number(
            N_("duration_minutes"), given["duration_minutes"], 100_000
        )
    if given.get("credits", "") != "":
        fields.credits = credits(given["credits"])
    if "tags" in given:
        fields.tags = tags(given["tags"])
    if "status" in given and given["status"] != "":
        fields.status = choice(N_("status"), given["status"], ResourceStatus)
    if "content" in given:
        kind = fields.type or current_type
        fields.content = content(kind, given["content"])
    return fields
