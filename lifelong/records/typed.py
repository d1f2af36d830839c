"""The common shapes of a statement as msgspec types: a POST body decoded and checked in C.

Most statements an LRS receives are an Agent doing something to an Activity. For those,
a POST body is decoded straight into the structs below: msgspec's decoder rejects
unknown properties, nulls, wrong JSON types and missing required properties as it
parses. What a type cannot say (IRI and language tag syntax, one IFI per Agent, score
ranges, timestamps) is then checked on the structs with the same predicates
(``records.formats``) that the hand validator (``records.validation``) uses, and the
records are built from the structs (``build_records``), at about half the CPU of parsing
into dicts, walking them and building from those.

This path only vouches. A body it cannot decode, or a statement of a shape it does not
cover (attachments; an Agent, Group or SubStatement as the object; interaction
definitions; a single object where contextActivities takes an array; 2.0's
contextAgents and contextGroups; a number whose JSON text another encoder writes
differently), is left to the hand validator, which names the rule broken or accepts
it. So whatever is accepted here is accepted there and gives the same record: same id,
hash, keys and row, the stored JSON differing only in the order of its keys
(``tests/records/test_typed.py`` checks both on fixed, near-miss and mutated
statements).
"""

from __future__ import annotations

import hashlib
from typing import Any, Literal

import msgspec
import orjson
from msgspec import UNSET, Struct, UnsetType

from lifelong.ids import uuid7
from lifelong.records import formats as f
from lifelong.records.credentials import XapiClient
from lifelong.records.records import (
    StatementRecord,
    index_key,
    make_row,
    timestamp_key,
)
from lifelong.records.validation import EXTENSION_NESTING, VOIDED
from lifelong.records.versions import V2


class _Strict(Struct, forbid_unknown_fields=True, gc=False):
    """A JSON object with only these properties (Data 2.2: no others, no nulls)."""


class Account(_Strict):
    homePage: str
    name: str


class Actor(_Strict):
    """An Agent, or a Group with members (which must be Agents)."""

    objectType: Literal["Agent", "Group"] | UnsetType = UNSET
    name: str | UnsetType = UNSET
    mbox: str | UnsetType = UNSET
    mbox_sha1sum: str | UnsetType = UNSET
    openid: str | UnsetType = UNSET
    account: Account | UnsetType = UNSET
    member: list[Actor] | UnsetType = UNSET


class Verb(_Strict):
    id: str
    display: dict[str, str] | UnsetType = UNSET


class Definition(_Strict):
    """An Activity Definition without interaction properties."""

    name: dict[str, str] | UnsetType = UNSET
    description: dict[str, str] | UnsetType = UNSET
    type: str | UnsetType = UNSET
    moreInfo: str | UnsetType = UNSET
    extensions: dict[str, Any] | UnsetType = UNSET


class Activity(_Strict):
    id: str
    objectType: Literal["Activity"] | UnsetType = UNSET
    definition: Definition | UnsetType = UNSET


class StatementObject(_Strict):
    """A statement's object: an Activity, or a StatementRef (``definition`` unset)."""

    id: str
    objectType: Literal["Activity", "StatementRef"] | UnsetType = UNSET
    definition: Definition | UnsetType = UNSET


class StatementRef(_Strict):
    objectType: Literal["StatementRef"]
    id: str


class Score(_Strict):
    scaled: int | float | UnsetType = UNSET
    raw: int | float | UnsetType = UNSET
    min: int | float | UnsetType = UNSET
    max: int | float | UnsetType = UNSET


class Result(_Strict):
    score: Score | UnsetType = UNSET
    success: bool | UnsetType = UNSET
    completion: bool | UnsetType = UNSET
    response: str | UnsetType = UNSET
    duration: str | UnsetType = UNSET
    extensions: dict[str, Any] | UnsetType = UNSET


class ContextActivities(_Strict):
    parent: list[Activity] | UnsetType = UNSET
    grouping: list[Activity] | UnsetType = UNSET
    category: list[Activity] | UnsetType = UNSET
    other: list[Activity] | UnsetType = UNSET

    def activities(self) -> list[Activity]:
        """Every Activity of the four lists given, in their order."""
        return [
            activity
            for items in (self.parent, self.grouping, self.category, self.other)
            if items is not UNSET
            for activity in items
        ]


class Context(_Strict):
    registration: str | UnsetType = UNSET
    instructor: Actor | UnsetType = UNSET
    team: Actor | UnsetType = UNSET
    contextActivities: ContextActivities | UnsetType = UNSET
    revision: str | UnsetType = UNSET
    platform: str | UnsetType = UNSET
    language: str | UnsetType = UNSET
    statement: StatementRef | UnsetType = UNSET
    extensions: dict[str, Any] | UnsetType = UNSET


class Statement(_Strict):
    actor: Actor
    verb: Verb
    object: StatementObject
    id: str | UnsetType = UNSET
    result: Result | UnsetType = UNSET
    context: Context | UnsetType = UNSET
    timestamp: str | UnsetType = UNSET
    stored: str | UnsetType = UNSET
    # Replaced by the credential's authority once checked (a msgspec.Raw of its JSON).
    authority: Actor | msgspec.Raw | UnsetType = UNSET
    version: str | UnsetType = UNSET


_decoder = msgspec.json.Decoder(list[Statement] | Statement)
_encoder = msgspec.json.Encoder()
# Sorted keys, as orjson's OPT_SORT_KEYS: the same text, so the same comparison hash.
_sorted_encoder = msgspec.json.Encoder(order="sorted")
_INT_LOW, _INT_HIGH = -(1 << 63), 1 << 64  # the integers orjson parses as integers
_FLOAT_LIMIT = 1e16  # from here on orjson writes "1e+16" where msgspec writes "1e16"


def decode(body: bytes, version: str) -> list[Statement] | None:
    """The statements of a JSON POST body if this path vouches for every one, else None."""
    try:
        decoded = _decoder.decode(body)
    except (msgspec.DecodeError, RecursionError):
        # ValidationError is a DecodeError: a shape not covered, or a wrong one. JSON
        # nested past msgspec's depth raises RecursionError: the hand path refuses it.
        return None
    statements = decoded if isinstance(decoded, list) else [decoded]
    if not statements:
        return None
    v2 = version == V2
    for statement in statements:
        if not _statement_ok(statement, v2):
            return None
    return statements


# -- what the types cannot say (the hand validator's rules, for these shapes) -----------
def _plain_number(value: object) -> bool:
    """A number both encoders write alike (so the comparison hash is the same)."""
    if isinstance(value, float):
        return -_FLOAT_LIMIT < value < _FLOAT_LIMIT
    return _INT_LOW <= value < _INT_HIGH  # type: ignore[operator]


def _plain(value: Any, levels: int = EXTENSION_NESTING) -> bool:
    """An extension value whose numbers are all plain (``_plain_number``) and that nests
    arrays and objects at most ``levels`` deep (``validation.EXTENSION_NESTING``)."""
    if isinstance(value, str) or value is None or value is True or value is False:
        return True
    if isinstance(value, int | float):
        return _plain_number(value)
    if levels <= 0:
        return False
    if isinstance(value, list):
        return all(_plain(item, levels - 1) for item in value)
    return all(_plain(item, levels - 1) for item in value.values())


def _extensions_ok(extensions: dict[str, Any] | UnsetType) -> bool:
    if extensions is UNSET:
        return True
    if not f.all_iris(extensions):
        return False
    return all(type(value) is str or _plain(value) for value in extensions.values())


def _language_map_ok(value: dict[str, str] | UnsetType) -> bool:
    return value is UNSET or f.all_language_tags(value)


def _ifis(actor: Actor) -> int:
    """How many IFIs ``actor`` has, or -1 when one is malformed (Data 2.4.2.3)."""
    count = 0
    if actor.mbox is not UNSET:
        if not f.is_mbox(actor.mbox):
            return -1
        count += 1
    if actor.mbox_sha1sum is not UNSET:
        if not f.is_sha1(actor.mbox_sha1sum):
            return -1
        count += 1
    if actor.openid is not UNSET:
        if not f.is_iri(actor.openid):
            return -1
        count += 1
    if actor.account is not UNSET:
        if not f.is_iri(actor.account.homePage):
            return -1
        count += 1
    return count


def _agent_ok(actor: Actor) -> bool:
    """An Agent: exactly one well-formed IFI, no members (Data 2.4.2.1)."""
    return actor.objectType != "Group" and actor.member is UNSET and _ifis(actor) == 1


def _group_ok(actor: Actor) -> bool:
    """A Group: at most one IFI, Agents as members, members when anonymous (2.4.2.2)."""
    ifis = _ifis(actor)
    if ifis < 0 or ifis > 1:
        return False
    members = actor.member
    if members is UNSET:
        return ifis == 1
    return all(_agent_ok(member) for member in members) and (ifis == 1 or bool(members))


def _actor_ok(actor: Actor) -> bool:
    return _group_ok(actor) if actor.objectType == "Group" else _agent_ok(actor)


def _activity_ok(activity: Activity | StatementObject) -> bool:
    """An Activity: an IRI id, its definition's maps, IRIs and extensions (2.4.4.1)."""
    if not f.is_iri(activity.id):
        return False
    definition = activity.definition
    if definition is UNSET:
        return True
    return (
        _language_map_ok(definition.name)
        and _language_map_ok(definition.description)
        and (definition.type is UNSET or f.is_iri(definition.type))
        and (definition.moreInfo is UNSET or f.is_iri(definition.moreInfo))
        and _extensions_ok(definition.extensions)
    )


def _result_ok(result: Result) -> bool:
    """Result: an ISO 8601 duration, extensions, score ranges (Data 2.4.5)."""
    if result.duration is not UNSET and not f.is_duration(result.duration):
        return False
    if not _extensions_ok(result.extensions):
        return False
    score = result.score
    if score is UNSET:
        return True
    scaled, raw, low, high = (
        None if value is UNSET else value
        for value in (score.scaled, score.raw, score.min, score.max)
    )
    if not all(_plain_number(value) for value in (scaled, raw, low, high) if value is not None):
        return False
    if scaled is not None and not -1 <= scaled <= 1:
        return False
    if low is not None and high is not None and low >= high:
        return False
    return raw is None or not ((low is not None and raw < low) or (high is not None and raw > high))


def _context_ok(context: Context) -> bool:
    """Context for an Activity or StatementRef object (Data 2.4.6)."""
    if context.registration is not UNSET and not f.is_uuid(context.registration):
        return False
    if context.instructor is not UNSET and not _actor_ok(context.instructor):
        return False
    team = context.team
    if team is not UNSET and (team.objectType != "Group" or not _group_ok(team)):
        return False
    if context.language is not UNSET and not f.is_language_tag(context.language):
        return False
    if context.statement is not UNSET and not f.is_uuid(context.statement.id):
        return False
    if not _extensions_ok(context.extensions):
        return False
    activities = context.contextActivities
    return activities is UNSET or all(_activity_ok(item) for item in activities.activities())


def _version_ok(version: str, v2: bool) -> bool:
    """Data 2.4.10: a 1.0.x version (or 2.0.x under 2.0)."""
    return (
        version.startswith("1.0.")
        or version == "1.0"
        or (v2 and (version.startswith("2.0.") or version == "2.0"))
    )


def _statement_ok(statement: Statement, v2: bool) -> bool:
    """Every rule of ``StatementValidator.statement`` for the shapes the types cover."""
    if statement.id is not UNSET and not f.is_uuid(statement.id):
        return False
    if not _actor_ok(statement.actor):
        return False
    verb = statement.verb
    if not f.is_iri(verb.id) or not _language_map_ok(verb.display):
        return False
    obj = statement.object
    if obj.objectType == "StatementRef":
        if obj.definition is not UNSET or not f.is_uuid(obj.id):
            return False
    elif not _activity_ok(obj) or verb.id == VOIDED:
        return False  # a voiding statement's object must be a StatementRef (2.3.2)
    if statement.result is not UNSET and not _result_ok(statement.result):
        return False
    if statement.context is not UNSET and not _context_ok(statement.context):
        return False
    if statement.timestamp is not UNSET and (
        f.parse_timestamp(statement.timestamp, require_offset=v2) is None
    ):
        return False
    authority = statement.authority
    if isinstance(authority, Actor):
        if authority.objectType == "Group":
            if not _group_ok(authority) or len(authority.member or []) != 2:
                return False
        elif not _agent_ok(authority):
            return False
    elif authority is not UNSET:
        return False
    if statement.version is not UNSET and not _version_ok(statement.version, v2):
        return False
    return statement.stored is UNSET or f.parse_timestamp(statement.stored) is not None


# -- records -----------------------------------------------------------------------------
def actor_key(actor: Actor) -> str:
    """``records.ifi_key`` of an Actor struct (the same text as of its dict)."""
    if actor.mbox is not UNSET:
        return "mbox::" + actor.mbox.lower()
    if actor.mbox_sha1sum is not UNSET:
        return "mbox_sha1sum::" + actor.mbox_sha1sum.lower()
    if actor.openid is not UNSET:
        return "openid::" + actor.openid
    if actor.account is not UNSET:
        return f"account::{actor.account.homePage}::{actor.account.name}"
    members = sorted(actor_key(member) for member in actor.member or ())
    return "group::" + hashlib.sha1("\n".join(members).encode()).hexdigest()


def build_records(
    statements: list[Statement], client: XapiClient, version: str, branch_extension: str
) -> list[StatementRecord] | None:
    """``records.build_record`` for each decoded statement (None on an id repeated in the
    batch: the hand path names that error). The structs are changed as build_record
    changes its dicts; each record's ``statement`` is left empty (the writer stores the
    JSON text)."""
    authority = msgspec.Raw(orjson.dumps(client.authority))
    default_version = "2.0.0" if version.startswith("2") else "1.0.0"
    records: list[StatementRecord] = []
    seen: set[str] = set()
    for statement in statements:
        statement_id = statement.id.lower() if statement.id else uuid7()
        if statement_id in seen:
            return None
        seen.add(statement_id)
        statement.id = statement_id
        given_version = statement.version
        # The comparison hash leaves out what the LRS sets (Data 2.3.1): stored,
        # authority and version.
        statement.stored = statement.authority = statement.version = UNSET
        content_hash = hashlib.sha256(_sorted_encoder.encode(statement)).hexdigest()
        statement.authority = authority
        statement.version = given_version or default_version
        records.append(_record(statement, client, statement_id, content_hash, branch_extension))
    return records


def _record(
    statement: Statement,
    client: XapiClient,
    statement_id: str,
    content_hash: str,
    branch_extension: str,
) -> StatementRecord:
    """The record of one checked statement whose id, authority and version are set."""
    obj = statement.object
    object_type = obj.objectType or "Activity"
    activity_id = obj.id if object_type == "Activity" else None
    related_agents: list[str] = []
    related_activities: list[str] = []
    context = statement.context
    registration = branch_code = None
    if context is not UNSET:
        if context.instructor is not UNSET:
            related_agents.append(actor_key(context.instructor))
        if context.team is not UNSET:
            related_agents.append(actor_key(context.team))
        if context.contextActivities is not UNSET:
            related_activities = [item.id for item in context.contextActivities.activities()]
        registration = context.registration.lower() if context.registration else None
        if context.extensions is not UNSET:
            branch_code = context.extensions.get(branch_extension)
    if client.branch_code is not None:
        branch_code = client.branch_code
    elif not isinstance(branch_code, str) or not branch_code:
        branch_code = None
    verb_id = statement.verb.id
    actor_ifi = actor_key(statement.actor)
    timestamp = statement.timestamp
    row = make_row(
        statement_id=statement_id,
        timestamp_key=timestamp_key(timestamp) if timestamp is not UNSET else None,
        verb_id=verb_id,
        actor_ifi=actor_ifi,
        object_ifi=None,
        object_type=object_type,
        activity_id=activity_id,
        registration=registration,
        voids=obj.id.lower() if verb_id == VOIDED else None,
        branch_code=branch_code[:16] if branch_code else None,
        content_hash=content_hash,
        attachments=False,
        body=_encoder.encode(statement).decode(),
        keys=(
            index_key(actor_ifi),
            index_key(verb_id),
            None,
            index_key(activity_id),
            index_key(registration),
        ),
    )
    return StatementRecord(row, sorted(set(related_agents)), sorted(set(related_activities)))
