"""Store records of generated statements, assembled from their frames.

The LRS's bulk path makes a record of each statement dict (``records.bulk.validate_chunk``:
the validator, then ``records.records.build_record``, which serialises the statement
twice: sorted for its content hash, as is for its body). A generated enrolment's
statements share actor, object and context (``learning.xapi.StatementFrame``), so here
those parts are serialised once per frame and each record is assembled from them and the
few parts that differ (id, verb, timestamp, result): the same record, field for field and
byte for byte, without a dict per statement.

The first statement of every frame is built as a dict and checked by the LRS's validator.
For the first frame of each shape in a slice (which keys its actor, object, definition
and context hold, which extensions: ``_shape``) that statement is also turned into a
record by ``build_record``, and the assembled record must equal it, or the run stops
(``FrameMismatch``). Frames of one shape differ only in values that both paths write
with orjson (tests hold the assembly to ``build_record`` for arbitrary titles, codes,
registrations and results); building every frame's reference record was about a tenth
of a worker's time. The other statements of a frame differ from its first only in id,
verb, timestamp and result, and those go through the validator's own checks statement
by statement. A statement that fails any check (or a frame the validator refuses) goes
the LRS's own way, so it is rejected with the bulk path's message. Tests compare every
record of generated chunks, and of random frames, with the bulk path's.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from functools import cache
from typing import Any

import orjson

from lifelong.learning.xapi import VERBS, StatementFrame, result_part
from lifelong.records.bulk import Validated
from lifelong.records.credentials import XapiClient
from lifelong.records.formats import is_uuid, parse_timestamp
from lifelong.records.records import (
    StatementRecord,
    _related,
    build_record,
    ifi_key,
    index_key,
    make_row,
    timestamp_key,
)
from lifelong.records.validation import (
    VOIDED,
    Shared,
    StatementError,
    StatementValidator,
    validator,
)
from lifelong.synth.activity import Result

SORTED = orjson.OPT_SORT_KEYS


class FrameMismatch(RuntimeError):
    """An assembled record differs from the one the LRS's bulk path builds (a bug)."""


@cache
def _verb(verb: str) -> tuple[str, str, bytes]:
    """A platform verb's id, its JSON, and the end of a comparison form that holds it
    (``"verb":`` and its JSON with sorted keys, closing the statement)."""
    body = VERBS[verb]
    return (
        body["id"],
        orjson.dumps(body).decode(),
        b'","verb":' + orjson.dumps(body, option=SORTED) + b"}",
    )


class PartsJson:
    """The JSON of frame parts several frames hold (by identity): as is, and sorted as
    UTF-8. A chunk's frames share each learner's actor and each resource's object
    (``activity.statement_parts``), so each is serialised once while it recurs."""

    LIMIT = 8_192  # entries kept before starting afresh

    def __init__(self) -> None:
        """Nothing serialised yet."""
        self._known: dict[int, tuple[object, str, bytes]] = {}

    def of(self, value: dict[str, Any]) -> tuple[str, bytes]:
        """``value`` as JSON and as JSON with sorted keys (bytes)."""
        known = self._known.get(id(value))
        if known is not None:
            return known[1], known[2]
        as_is, in_order = orjson.dumps(value).decode(), orjson.dumps(value, option=SORTED)
        if len(self._known) >= self.LIMIT:
            self._known.clear()
        # The value is held, so its id is not reused while it is entered.
        self._known[id(value)] = (value, as_is, in_order)
        return as_is, in_order


class FrameRecords:
    """What every record of one frame shares, serialised once."""

    def __init__(
        self,
        frame: StatementFrame,
        client: XapiClient,
        version: str,
        branch_extension: str,
        parts: PartsJson | None = None,
    ) -> None:
        """Serialise the frame's parts and work out its record fields (as build_record);
        ``parts``: the JSON of actors and objects earlier frames held."""
        if frame.object.get("objectType", "Activity") != "Activity":
            raise ValueError("generated statements are about activities")
        parts = parts or PartsJson()
        self.actor, actor_sorted = parts.of(frame.actor)
        self.object, object_sorted = parts.of(frame.object)
        self.context = orjson.dumps(frame.context).decode()
        # build_record's comparison form (every key but stored/authority/version, sorted,
        # nested keys sorted too) is hashed as UTF-8: actor and context come before the
        # id, so the hash of that head is taken once a frame and copied per statement.
        self.compared_head = hashlib.sha256(
            b'{"actor":'
            + actor_sorted
            + b',"context":'
            + orjson.dumps(frame.context, option=SORTED)
            + b',"id":"'
        )
        self.compared_object = b'","object":' + object_sorted + b","
        # Data 2.4.9 / 2.4.10: authority from the credential, the version negotiated.
        statement_version = "2.0.0" if version.startswith("2") else "1.0.0"
        self.tail = (
            f',"authority":{orjson.dumps(client.authority).decode()}'
            f',"version":"{statement_version}"}}'
        )
        self.activity_id: str = frame.object["id"]
        self.actor_ifi = ifi_key(frame.actor)
        context = frame.context
        self.registration = (context.get("registration") or "").lower() or None
        branch = client.branch_code
        if branch is None:
            given = (context.get("extensions") or {}).get(branch_extension)
            branch = given if isinstance(given, str) and given else None
        self.branch_code = branch[:16] if branch else None
        agents: list[str] = []
        activities: list[str] = []
        _related({"context": context}, agents, activities)
        self.related_agents = sorted(set(agents))
        self.related_activities = sorted(set(activities))
        self.actor_key = index_key(self.actor_ifi)
        self.activity_key = index_key(self.activity_id)
        self.registration_key = index_key(self.registration)

    def record(
        self, statement_id: str, verb: str, timestamp: str, result: dict[str, Any]
    ) -> StatementRecord:
        """The record of one statement of the frame."""
        verb_id, verb_json, verb_sorted = _verb(verb)
        sid = statement_id.lower()
        content = self.compared_head.copy()
        content.update(sid.encode())
        content.update(self.compared_object)
        if result:
            # result_part inserts keys in sorted order: its JSON as is is the sorted one.
            result_json = orjson.dumps(result, option=SORTED)
            in_body = f',"result":{result_json.decode()}'
            content.update(b'"result":' + result_json + b',"timestamp":"')
        else:
            in_body = ""
            content.update(b'"timestamp":"')
        content.update(timestamp.encode())
        content.update(verb_sorted)
        body = (
            f'{{"id":"{sid}","actor":{self.actor},"verb":{verb_json},"object":{self.object},'
            f'"context":{self.context},"timestamp":"{timestamp}"{in_body}{self.tail}'
        )
        row = make_row(
            statement_id=sid,
            timestamp_key=timestamp_key(timestamp),
            verb_id=verb_id,
            actor_ifi=self.actor_ifi,
            object_ifi=None,
            object_type="Activity",
            activity_id=self.activity_id,
            registration=self.registration,
            voids=self.activity_id.lower() if verb_id == VOIDED else None,
            branch_code=self.branch_code,
            content_hash=content.hexdigest(),
            attachments=False,
            body=body,
            keys=(
                self.actor_key,
                index_key(verb_id),
                None,
                self.activity_key,
                self.registration_key,
            ),
        )
        return StatementRecord(row, list(self.related_agents), list(self.related_activities))


Part = tuple[StatementFrame, str, str, str, Result]


def validated_parts(
    parts: Iterable[tuple[str, Part]], client: XapiClient, version: str, branch_extension: str
) -> Validated:
    """``validate_chunk`` of the statements these parts make, assembled from frames."""
    check = validator(version)
    shared = Shared()
    out = Validated(client_name=client.name, version=version)
    frame: StatementFrame | None = None
    assembled: FrameRecords | None = None  # None: this frame's statements go the LRS's way
    compared: set[tuple[Any, ...]] = set()  # shapes whose assembly was held to build_record
    parts_json = PartsJson()
    for location, (made, statement_id, verb, timestamp, figures) in parts:
        if made is not frame:
            frame = made
            shape = _shape(made)
            assembled = _checked_frame(
                made,
                (statement_id, verb, timestamp, figures),
                client,
                version,
                branch_extension,
                compare=shape not in compared,
                shared=shared,
                parts=parts_json,
            )
            if assembled is not None:
                compared.add(shape)
        result = result_part(*figures)
        if assembled is not None and _varying_valid(
            check, shared, statement_id, verb, timestamp, result
        ):
            record = assembled.record(statement_id, verb, timestamp, result)
        else:
            stmt = made.statement(verb, timestamp, statement_id, *figures)
            try:
                check.statement(stmt, shared=shared)
            except StatementError as exc:
                out.rejected.append((location, exc.message))
                continue
            record = build_record(stmt, client, version, branch_extension)
            record.statement = {}
        out.accept(location, record)
    return out


def _varying_valid(
    check: StatementValidator,
    shared: Shared,
    statement_id: str,
    verb: str,
    timestamp: str,
    result: dict[str, Any],
) -> bool:
    """Whether what a frame's statements differ in (id, verb, timestamp, result) passes
    the validator's own checks of those parts (Data 2.4.1, 2.4.3, 2.4.5, 2.4.7); when
    not, the statement goes the LRS's way and is rejected with the LRS's message."""
    body = VERBS[verb]
    try:
        if shared.get(body, "verb") is None:
            check.verb(body, "statement.verb")
            shared.add(body, "verb")
        if result:
            check.result(result, "statement.result")
    except StatementError:
        return False
    return (
        is_uuid(statement_id)
        and parse_timestamp(timestamp, require_offset=check.v2) is not None
        and body["id"] != VOIDED  # a voiding statement's object must be a StatementRef
    )


def _shape(frame: StatementFrame) -> tuple[Any, ...]:
    """Which keys a frame's parts hold (values aside): frames of one shape are assembled
    by the same code path."""
    definition = frame.object.get("definition") or {}
    return (
        tuple(frame.actor),
        tuple(frame.actor.get("account") or ()),
        tuple(frame.object),
        tuple(definition),
        tuple(definition.get("name") or ()),
        tuple(frame.context),
        tuple(frame.context.get("extensions") or ()),
    )


def _checked_frame(
    frame: StatementFrame,
    first: tuple[str, str, str, Result],
    client: XapiClient,
    version: str,
    branch_extension: str,
    *,
    compare: bool = True,
    shared: Shared | None = None,
    parts: PartsJson | None = None,
) -> FrameRecords | None:
    """The frame's shared parts, once its first statement has passed the LRS's validator
    (and, with ``compare``, its assembled record equals ``build_record``'s); None when
    the validator refuses it (the frame's statements then go the LRS's way and are
    rejected as it rejects). ``shared``: parts found valid in earlier frames (the
    validator checks an actor or object the frame shares with them once)."""
    statement_id, verb, timestamp, figures = first
    stmt = frame.statement(verb, timestamp, statement_id, *figures)
    try:
        validator(version).statement(stmt, shared=shared)
    except StatementError:
        return None
    assembled = FrameRecords(frame, client, version, branch_extension, parts)
    if compare:
        reference = build_record(stmt, client, version, branch_extension)
        reference.statement = {}
        if assembled.record(statement_id, verb, timestamp, result_part(*figures)) != reference:
            raise FrameMismatch(f"statement {statement_id}: the assembled record differs")
    return assembled


def numbered(parts: Iterable[Part], prefix: str) -> Iterator[tuple[str, Part]]:
    """Parts with their locations (``<prefix> statement <n>``, as the bulk path names)."""
    for index, part in enumerate(parts):
        yield f"{prefix} statement {index}", part
