"""The xAPI vocabulary of Lifelong: how a learning action becomes a statement.

Used by the learning platform (live actions, through the outbox) and by the synthetic
university generator, so generated and real activity are indistinguishable downstream.
Verbs come from the ADL vocabulary, cmi5 (``initialized``/``terminated`` are not used:
Lifelong is not a cmi5 LMS) and the xAPI Video Profile; activity types from ADL and the
Video Profile. Learners are identified by an ``account`` IFI (xAPI 1.0.3 section
2.4.2.1) whose name is the numeric user id: statements carry no names or e-mail
addresses, so they stay pseudonymous.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from lifelong.ids import uuid7

ADL = "http://adlnet.gov/expapi/verbs/"
VIDEO = "https://w3id.org/xapi/video/"

VERBS: dict[str, dict[str, Any]] = {
    "registered": {"id": ADL + "registered", "display": {"en-US": "registered", "zh-CN": "注册"}},
    "launched": {"id": ADL + "launched", "display": {"en-US": "launched", "zh-CN": "开始"}},
    "progressed": {"id": ADL + "progressed", "display": {"en-US": "progressed", "zh-CN": "进展"}},
    "completed": {"id": ADL + "completed", "display": {"en-US": "completed", "zh-CN": "完成"}},
    "passed": {"id": ADL + "passed", "display": {"en-US": "passed", "zh-CN": "通过"}},
    "failed": {"id": ADL + "failed", "display": {"en-US": "failed", "zh-CN": "未通过"}},
    "scored": {"id": ADL + "scored", "display": {"en-US": "scored", "zh-CN": "得分"}},
    "experienced": {
        "id": ADL + "experienced",
        "display": {"en-US": "experienced", "zh-CN": "浏览"},
    },
    "attended": {"id": ADL + "attended", "display": {"en-US": "attended", "zh-CN": "出席"}},
    "earned": {
        "id": "http://id.tincanapi.com/verb/earned",
        "display": {"en-US": "earned", "zh-CN": "获得"},
    },
    "withdrew": {
        "id": "http://id.tincanapi.com/verb/unregistered",
        "display": {"en-US": "unregistered", "zh-CN": "退出"},
    },
    "played": {"id": VIDEO + "verbs/played", "display": {"en-US": "played", "zh-CN": "播放"}},
    "paused": {"id": VIDEO + "verbs/paused", "display": {"en-US": "paused", "zh-CN": "暂停"}},
}

ACTIVITY_TYPES: dict[str, str] = {
    "course": "http://adlnet.gov/expapi/activities/course",
    "micro_course": "http://adlnet.gov/expapi/activities/module",
    "video": VIDEO + "activity-type/video",
    "ebook": "http://id.tincanapi.com/activitytype/book",
    "document": "http://id.tincanapi.com/activitytype/document",
    "live_session": "http://adlnet.gov/expapi/activities/meeting",
    "assessment": "http://adlnet.gov/expapi/activities/assessment",
    "certificate": "https://w3id.org/xapi/cmi5/activitytype/block",
}

PROGRESS_EXTENSION = "https://w3id.org/xapi/cmi5/result/extensions/progress"

# Verbs whose statements say the learner spent time learning (result.duration is set).
TIME_VERBS = frozenset({"progressed", "completed", "experienced", "attended", "played"})


def extension(iri_base: str, name: str) -> str:
    """The IRI of a Lifelong context or result extension."""
    return f"{iri_base}/xapi/extensions/{name}"


def actor(iri_base: str, user_id: int) -> dict[str, Any]:
    """The learner as an xAPI Agent with an account IFI (pseudonymous)."""
    return {"objectType": "Agent", "account": {"homePage": iri_base, "name": str(user_id)}}


def activity_id(iri_base: str, resource_id: int) -> str:
    """The activity IRI of a resource."""
    return f"{iri_base}/resources/{resource_id}"


def activity(
    iri_base: str, *, resource_id: int, resource_type: str, title: str, language: str
) -> dict[str, Any]:
    """A resource as an xAPI Activity with its definition."""
    lang = "zh-CN" if language.startswith("zh") else "en-US"
    return {
        "objectType": "Activity",
        "id": activity_id(iri_base, resource_id),
        "definition": {"type": ACTIVITY_TYPES[resource_type], "name": {lang: title}},
    }


def iso_duration(seconds: int) -> str:
    """An ISO 8601 duration (xAPI 1.0.3 section 4.6) for whole seconds."""
    seconds = max(int(seconds), 0)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    out = "PT"
    if hours:
        out += f"{hours}H"
    if minutes:
        out += f"{minutes}M"
    if secs or out == "PT":
        out += f"{secs}S"
    return out


def iso_timestamp(moment: datetime) -> str:
    """An RFC 3339 timestamp in UTC with millisecond precision."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class StatementFrame:
    """What a learner's statements about one resource share: actor, object and context.

    Built once per enrolment; every statement it makes holds these same three objects, so
    only the parts that differ from one statement to the next (id, verb, timestamp,
    result) are built per statement. They are read-only once built: the LRS changes a
    statement only at its top level (id, authority, version, stored), and a statement
    that needs other context gets another frame (``with_extension``).
    """

    __slots__ = ("actor", "context", "object")

    def __init__(
        self,
        iri_base: str,
        *,
        user_id: int,
        resource_id: int,
        resource_type: str,
        title: str,
        language: str,
        branch_code: str,
        registration: str | None,
        subject_code: str | None = None,
        provider_code: str | None = None,
    ) -> None:
        """The shared parts; ``branch_code`` goes into a context extension: it is what
        the foundation scopes rows by."""
        extensions: dict[str, Any] = {extension(iri_base, "branch"): branch_code}
        if subject_code:
            extensions[extension(iri_base, "subject")] = subject_code
        if provider_code:
            extensions[extension(iri_base, "provider")] = provider_code
        context: dict[str, Any] = {
            "platform": "Lifelong",
            "language": "zh-CN" if language.startswith("zh") else "en-US",
            "extensions": extensions,
        }
        if registration:
            context["registration"] = registration
        self.actor = actor(iri_base, user_id)
        self.object = activity(
            iri_base,
            resource_id=resource_id,
            resource_type=resource_type,
            title=title,
            language=language,
        )
        self.context = context

    def with_extension(self, key: str, value: Any) -> StatementFrame:
        """The same frame with one more context extension (its own context object)."""
        other = StatementFrame.__new__(StatementFrame)
        other.actor, other.object = self.actor, self.object
        other.context = {**self.context, "extensions": {**self.context["extensions"], key: value}}
        return other

    def statement(
        self,
        verb: str,
        timestamp: datetime | str,
        statement_id: str | None = None,
        duration_seconds: int | None = None,
        progress: float | None = None,
        score: float | None = None,
        success: bool | None = None,
        completion: bool | None = None,
    ) -> dict[str, Any]:
        """One statement of the frame. ``progress`` (0..1) uses the cmi5/ADL ``progress``
        result extension; a str ``timestamp`` is already in ``iso_timestamp``'s form."""
        out: dict[str, Any] = {
            "id": statement_id or uuid7(),
            "actor": self.actor,
            "verb": VERBS[verb],
            "object": self.object,
            "context": self.context,
            "timestamp": timestamp if isinstance(timestamp, str) else iso_timestamp(timestamp),
        }
        result = result_part(duration_seconds, progress, score, success, completion)
        if result:
            out["result"] = result
        return out


def result_part(
    duration_seconds: int | None,
    progress: float | None,
    score: float | None,
    success: bool | None,
    completion: bool | None,
) -> dict[str, Any]:
    """A statement's ``result`` (empty when it has none).

    Keys are inserted in sorted order at every level, so the result's JSON as is equals
    its JSON with sorted keys (what a content hash is taken of): the generator
    serialises a result once for both (``synth.records``).
    """
    result: dict[str, Any] = {}
    if completion is not None:
        result["completion"] = completion
    if duration_seconds is not None:
        result["duration"] = iso_duration(duration_seconds)
    if progress is not None:
        result["extensions"] = {PROGRESS_EXTENSION: round(max(min(progress, 1.0), 0.0) * 100)}
    if score is not None:
        result["score"] = {
            "max": 100,
            "min": 0,
            "raw": round(score * 100, 1),
            "scaled": round(max(min(score, 1.0), -1.0), 4),
        }
    if success is not None:
        result["success"] = success
    return result


def statement(
    iri_base: str,
    *,
    verb: str,
    user_id: int,
    resource_id: int,
    resource_type: str,
    title: str,
    language: str,
    branch_code: str,
    registration: str | None,
    timestamp: datetime | str,
    statement_id: str | None = None,
    duration_seconds: int | None = None,
    progress: float | None = None,
    score: float | None = None,
    success: bool | None = None,
    completion: bool | None = None,
    subject_code: str | None = None,
    provider_code: str | None = None,
) -> dict[str, Any]:
    """One statement about a learner and a resource (a frame of its own: ``StatementFrame``)."""
    frame = StatementFrame(
        iri_base,
        user_id=user_id,
        resource_id=resource_id,
        resource_type=resource_type,
        title=title,
        language=language,
        branch_code=branch_code,
        registration=registration,
        subject_code=subject_code,
        provider_code=provider_code,
    )
    return frame.statement(
        verb,
        timestamp,
        statement_id,
        duration_seconds=duration_seconds,
        progress=progress,
        score=score,
        success=success,
        completion=completion,
    )
